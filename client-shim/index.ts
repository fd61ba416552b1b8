// The guest-facing RHN client protocol as plain functions over decoded values: faults, capability
// negotiation, systemid and X-RHN-Auth handling, profile input, action encoders, the handler table
// (registration, up2date, queue, errata) with its systemid gate and check-in buffer.
export * from './faults.js';
export * from './capabilities.js';
export * from './embedded-xmlrpc.js';
export * from './systemid.js';
export * from './auth-token.js';
export * from './profile-input.js';
export * from './actions.js';
export * from './python-text.js';
export * from './dispatch.js';
export * from './handlers.js';
export * from './client-env.js';
export * from './checkins.js';
export { serverArch, type RegistrationRequest, type Registered, type ServerArch } from './register-system.js';
export { channelStamp } from './up2date.js';
export * from './get-req.js';
