// What the CEFS importer's requests should leave on a Spacewalk 2.10 server, followed call by
// call: advisories from errata.create/set_details/publish, and channel contents with publish's
// package copies (admin-api.md §4: publish adds the erratum's packages to every listed channel).
import { beanify, type RecordedCall, type Wire } from './replay.js';
import { TRACE_PACKAGES } from './trace-data.js';

export interface Advisory {
  name: string;
  info: Record<string, Wire>;
  /** recorded package ids, as errata.create listed them */
  packageIds: number[];
  issueDate?: string;
  updateDate?: string;
  severity?: string;
  keywords: string[];
  cves: string[];
  /** channels of the errata.publish call; empty while unpublished */
  channels: string[];
}

const dateText = (v: unknown): string | undefined => (v && typeof v === 'object' && '__datetime__' in v ? String((v as { __datetime__: string }).__datetime__) : undefined);

export class ImportModel {
  readonly advisories = new Map<string, Advisory>();
  /** recorded package id -> channels holding it */
  readonly membership = new Map<number, Set<string>>(TRACE_PACKAGES.map((p) => [p.recordedId, new Set([p.channel])]));

  /** Follows one recorded call (after the server answered it without a fault). */
  apply(call: RecordedCall): void {
    const method = beanify(call.method);
    const p = call.params;
    if (method === 'errata.create') {
      const info = p[1] as Record<string, Wire>;
      const name = String(info['advisory_name']);
      if (this.advisories.has(name)) return;
      this.advisories.set(name, { name, info, packageIds: [...(p[4] as number[])], keywords: [...(p[3] as string[])], cves: [], channels: [] });
    } else if (method === 'errata.setDetails') {
      this.setDetails(this.advisory(String(p[1])), p[2] as Record<string, unknown>);
    } else if (method === 'errata.publish') {
      const a = this.advisory(String(p[1]));
      a.channels = [...new Set([...a.channels, ...(p[2] as string[])])];
      for (const id of a.packageIds) for (const c of p[2] as string[]) this.membership.get(id)!.add(c);
    } else if (method === 'errata.addPackages') {
      const a = this.advisory(String(p[1]));
      a.packageIds = [...new Set([...a.packageIds, ...(p[2] as number[])])];
    }
  }

  private setDetails(a: Advisory, d: Record<string, unknown>): void {
    if (d['issue_date'] !== undefined) a.issueDate = dateText(d['issue_date']);
    if (d['update_date'] !== undefined) a.updateDate = dateText(d['update_date']);
    if (typeof d['severity'] === 'string') a.severity = d['severity'];
    if (Array.isArray(d['keywords'])) a.keywords = d['keywords'] as string[];
    if (Array.isArray(d['cves'])) a.cves = d['cves'] as string[];
  }

  advisory(name: string): Advisory {
    const a = this.advisories.get(name);
    if (!a) throw new Error(`the trace touches ${name} before creating it`);
    return a;
  }

  /** Recorded ids of the packages a channel holds now. */
  channelPackages(channel: string): number[] {
    return [...this.membership].filter(([, chans]) => chans.has(channel)).map(([id]) => id).sort((a, b) => a - b);
  }

  /** Advisory names published in a channel, sorted. */
  channelErrata(channel: string): string[] {
    return [...this.advisories.values()].filter((a) => a.channels.includes(channel)).map((a) => a.name).sort();
  }

  unpublished(): string[] {
    return [...this.advisories.values()].filter((a) => a.channels.length === 0).map((a) => a.name).sort();
  }
}
