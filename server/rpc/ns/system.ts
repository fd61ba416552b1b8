// system.*: the tier-1 methods of admin-api.md §2.4, gathered from one file per sub-area
// (details, extras, hardware, lists, channels, packages, profiles, scheduling, actions, events).
import type { NamespaceDef } from '../registry.js';
import { systemActionMethods } from './system-actions.js';
import { systemChannelMethods } from './system-channels.js';
import { systemDetailMethods } from './system-details.js';
import { systemEventMethods } from './system-events.js';
import { systemExtraMethods } from './system-extras.js';
import { systemHardwareMethods } from './system-hardware.js';
import { systemListMethods } from './system-lists.js';
import { systemPackageMethods } from './system-packages.js';
import { systemProfileMethods } from './system-profiles.js';
import { systemSchedulingMethods } from './system-scheduling.js';

export const systemNamespace: NamespaceDef = {
  namespace: 'system',
  handlerClass: 'SystemHandler',
  methods: [
    ...systemDetailMethods,
    ...systemExtraMethods,
    ...systemHardwareMethods,
    ...systemListMethods,
    ...systemChannelMethods,
    ...systemPackageMethods,
    ...systemProfileMethods,
    ...systemSchedulingMethods,
    ...systemActionMethods,
    ...systemEventMethods,
  ],
};
