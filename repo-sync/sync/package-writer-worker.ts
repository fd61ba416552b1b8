// Worker thread side of PackageWriter: its own connection to the database, storing batches of
// packages (each one transaction) while the main thread goes on parsing.
import { parentPort, workerData } from 'node:worker_threads';
import { attachStores, type NewPackage } from '../../channels/index.js';

interface Request {
  seq: number;
  orgId: number | null;
  packages: NewPackage[];
}

const stores = attachStores((workerData as { file: string }).file);
// Bulk inserts only append: a small page cache is enough, and the sync's memory stays low.
stores.db.pragma('cache_size = -4096');
parentPort!.on('message', (req: Request | 'close') => {
  if (req === 'close') {
    stores.close();
    parentPort!.close();
    return;
  }
  stores.packages.importPackages(req.orgId, req.packages).then(
    (r) => parentPort!.postMessage({ seq: req.seq, ids: r.ids }),
    (err: Error) => parentPort!.postMessage({ seq: req.seq, error: err.message }),
  );
});
