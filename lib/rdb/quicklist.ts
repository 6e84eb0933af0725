// Lists as Redis 7.0 holds them: a quicklist, a chain of nodes that are listpacks (or, for an
// element of 1 GiB or more, a "plain" node holding just that element), filled as RPUSH fills
// them, with the interior nodes LZF-compressed when list-compress-depth asks for it.

import { lzfCompress } from './lzf.js';
import { LP_HEADER_SIZE, lpEncodeString, lpFromEntries } from './listpack.js';

export const QUICKLIST_NODE_PLAIN = 1;
export const QUICKLIST_NODE_PACKED = 2;

/** Elements this large get a plain node of their own. */
export const PACKED_THRESHOLD = 2 ** 30;
/** Node sizes list-max-listpack-size -1..-5 stand for. */
const SIZE_LEVELS = [4096, 8192, 16384, 32768, 65536];
/** A count-limited node still never grows past this. */
const SIZE_SAFETY_LIMIT = 8192;
/** Nodes smaller than this are not compressed, nor those compression saves less than 8 bytes on. */
const MIN_COMPRESS_BYTES = 48;
const MIN_COMPRESS_IMPROVE = 8;

export interface QuicklistNode {
  container: typeof QUICKLIST_NODE_PLAIN | typeof QUICKLIST_NODE_PACKED;
  /** the listpack, or the element of a plain node */
  data: Buffer;
  /** the LZF form of `data` when the node is compressed */
  compressed: Buffer | null;
}

/** Redis's overestimate of what one more element adds to a node's bytes, beyond its own. */
const SIZE_ESTIMATE_OVERHEAD = 8;

/** Whether Redis appends an element of `sz` bytes to a node of `nodeSize` bytes and `count` elements. */
function allowInsert(nodeSize: number, count: number, fill: number, sz: number): boolean {
  const newSize = nodeSize + sz + SIZE_ESTIMATE_OVERHEAD;
  if (fill < 0) return newSize <= SIZE_LEVELS[Math.min(-fill - 1, SIZE_LEVELS.length - 1)];
  if (newSize > SIZE_SAFETY_LIMIT) return false;
  return count + 1 <= (fill === 0 ? 1 : fill);
}

/** The nodes of the quicklist RPUSHing `items` in order builds. */
export function buildQuicklist(items: readonly Buffer[], fill: number, compressDepth: number): QuicklistNode[] {
  const nodes: QuicklistNode[] = [];
  let entries: Buffer[] | null = null;
  let entryBytes = 0;
  const close = () => {
    if (entries !== null) nodes.push({ container: QUICKLIST_NODE_PACKED, data: lpFromEntries(entries, entryBytes), compressed: null });
    entries = null;
  };
  for (const item of items) {
    const sz = item.length;
    if (sz >= PACKED_THRESHOLD) {
      close();
      nodes.push({ container: QUICKLIST_NODE_PLAIN, data: item, compressed: null });
      continue;
    }
    if (entries === null || !allowInsert(LP_HEADER_SIZE + 1 + entryBytes, entries.length, fill, sz)) {
      close();
      entries = [];
      entryBytes = 0;
    }
    const e = lpEncodeString(item);
    entries.push(e);
    entryBytes += e.length;
  }
  close();
  if (compressDepth > 0 && nodes.length > compressDepth * 2) {
    for (let i = compressDepth; i < nodes.length - compressDepth; i++) nodes[i].compressed = compressNode(nodes[i].data);
  }
  return nodes;
}

/** A node's LZF form, or null when Redis leaves it uncompressed. */
function compressNode(data: Buffer): Buffer | null {
  if (data.length < MIN_COMPRESS_BYTES) return null;
  const packed = lzfCompress(data, data.length);
  if (packed === null || packed.length + MIN_COMPRESS_IMPROVE >= data.length) return null;
  return packed;
}
