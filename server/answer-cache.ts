// A size-bounded LRU of encoded XML-RPC answers. Keys embed a channel revision, so a changed
// channel simply stops hitting its old entries, which age out.
import type { EncodedResponse } from './xmlrpc/types.js';

export class AnswerCache {
  private readonly entries = new Map<string, EncodedResponse>();
  private bytes = 0;

  constructor(private readonly maxBytes: number) {}

  async getOrBuild(key: string, build: () => Promise<EncodedResponse>): Promise<EncodedResponse> {
    const hit = this.entries.get(key);
    if (hit) {
      this.entries.delete(key);
      this.entries.set(key, hit);
      return hit;
    }
    const value = await build();
    if (value.body.length <= this.maxBytes / 4) {
      this.entries.set(key, value);
      this.bytes += value.body.length;
      for (const [k, v] of this.entries) {
        if (this.bytes <= this.maxBytes) break;
        this.entries.delete(k);
        this.bytes -= v.body.length;
      }
    }
    return value;
  }

  clear(): void {
    this.entries.clear();
    this.bytes = 0;
  }
}
