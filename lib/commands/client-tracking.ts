// CLIENT TRACKING, CLIENT TRACKINGINFO, CLIENT GETREDIR, CLIENT CACHING: the command side of
// client-side caching (lib/clients/tracking.ts does the tracking). Replies and errors follow
// redis-server 7.0.

import type { MainContext } from '../main-context.js';
import { isKw, kw } from './define.js';
import { E } from '../errors.js';
import { parseI64 } from '../resp/number.js';
import { extrasOf } from '../clients/extras.js';
import { Tracking, TrackingState, prefixesOverlap } from '../clients/tracking.js';

/** Text of an argument as Redis's %s prints it: up to its first NUL byte. */
function cText(s: string): string {
  const i = s.indexOf('\0');
  return i < 0 ? s : s.slice(0, i);
}

function overlapError(p: string, q: string, existing: boolean): string {
  return `ERR Prefix '${cText(p)}' overlaps with ${existing ? 'an existing' : 'another provided'} prefix '${cText(q)}'. Prefixes for a single client must not overlap.`;
}

/** CLIENT TRACKING ON|OFF [REDIRECT id] [BCAST] [PREFIX p ...] [OPTIN] [OPTOUT] [NOLOOP] */
export function clientTracking(ctx: MainContext, args: Buffer[]): void {
  const { out, server, conn } = ctx;
  let redirect = 0;
  let bcast = false;
  let optin = false;
  let optout = false;
  let noloop = false;
  const prefixes: string[] = [];
  for (let j = 3; j < args.length; j++) {
    const more = args.length - 1 - j > 0;
    const o = kw(args[j]);
    if (o === 'redirect' && more) {
      j++;
      if (redirect !== 0) return out.error('ERR A client can only redirect to a single other client');
      const id = parseI64(args[j]);
      if (id === null) return out.error(E.notInt);
      const target = id > 0n && id <= BigInt(Number.MAX_SAFE_INTEGER) ? server.clients.get(Number(id)) : undefined;
      if (!target || target.closed) return out.error('ERR The client ID you want redirect to does not exist');
      redirect = Number(id);
    } else if (o === 'bcast') bcast = true;
    else if (o === 'optin') optin = true;
    else if (o === 'optout') optout = true;
    else if (o === 'noloop') noloop = true;
    else if (o === 'prefix' && more) {
      j++;
      prefixes.push(args[j].toString('latin1'));
    } else return out.error(E.syntax);
  }
  const ext = extrasOf(conn);
  const st = (ext.tracking ??= new TrackingState());
  const tracking = server.clientCtl.tracking;
  if (isKw(args[2], 'on')) {
    if (!bcast && prefixes.length > 0) return out.error('ERR PREFIX option requires BCAST mode to be enabled');
    if (st.on && st.bcast !== bcast) {
      return out.error("ERR You can't switch BCAST mode on/off before disabling tracking for this client, and then re-enabling it with a different mode.");
    }
    if (bcast && (optin || optout)) return out.error('ERR OPTIN and OPTOUT are not compatible with BCAST');
    if (optin && optout) return out.error("ERR You can't specify both OPTIN mode and OPTOUT mode");
    if ((optin && st.optout) || (optout && st.optin)) {
      return out.error("ERR You can't switch OPTIN/OPTOUT mode before disabling tracking for this client, and then re-enabling it with a different mode.");
    }
    if (bcast) {
      const existing = Tracking.sortedPrefixes(st);
      for (let i = 0; i < prefixes.length; i++) {
        const clash = existing.find((e) => prefixesOverlap(e, prefixes[i]));
        if (clash !== undefined) return out.error(overlapError(prefixes[i], clash, true));
        const j = prefixes.findIndex((q, k) => k > i && prefixesOverlap(prefixes[i], q));
        if (j >= 0) {
          out.error(overlapError(prefixes[i], prefixes[j], false));
          // Redis 7.0 stops here only for the first prefix: an overlap found from the second
          // one on is answered with this error and then carried out (+OK follows), prefixes and all.
          if (i === 0) return;
          break;
        }
      }
    }
    tracking.enable(conn, st, { redirect, bcast, optin, optout, noloop, prefixes });
  } else if (isKw(args[2], 'off')) {
    tracking.disable(conn, st);
  } else {
    return out.error(E.syntax);
  }
  out.ok();
}

/** CLIENT CACHING YES|NO: whether the next command's keys are tracked (OPTIN / OPTOUT). */
export function clientCaching(ctx: MainContext, args: Buffer[]): void {
  const { out, conn } = ctx;
  const st = conn.extras?.tracking;
  if (!st || !st.on) return out.error('ERR CLIENT CACHING can be called only when the client is in tracking mode with OPTIN or OPTOUT mode enabled');
  const o = kw(args[2]);
  if (o === 'yes') {
    if (!st.optin) return out.error('ERR CLIENT CACHING YES is only valid when tracking is enabled in OPTIN mode.');
  } else if (o === 'no') {
    if (!st.optout) return out.error('ERR CLIENT CACHING NO is only valid when tracking is enabled in OPTOUT mode.');
  } else {
    return out.error(E.syntax);
  }
  st.caching = true;
  out.ok();
}

export function clientGetRedir(ctx: MainContext): void {
  const st = ctx.conn.extras?.tracking;
  ctx.out.int(st && st.on ? st.redirect : -1);
}

export function clientTrackingInfo(ctx: MainContext): void {
  const { out } = ctx;
  const st = ctx.conn.extras?.tracking ?? new TrackingState();
  const flags = [st.on ? 'on' : 'off'];
  if (st.bcast) flags.push('bcast');
  if (st.optin) {
    flags.push('optin');
    if (st.caching) flags.push('caching-yes');
  }
  if (st.optout) {
    flags.push('optout');
    if (st.caching) flags.push('caching-no');
  }
  if (st.noloop) flags.push('noloop');
  if (st.brokenRedirect) flags.push('broken_redirect');
  out.map(3);
  out.bulkStr('flags');
  out.set(flags.length);
  for (const f of flags) out.bulkStr(f);
  out.bulkStr('redirect');
  out.int(st.on ? st.redirect : -1);
  out.bulkStr('prefixes');
  const prefixes = Tracking.sortedPrefixes(st);
  out.array(prefixes.length);
  for (const p of prefixes) out.bulk(Buffer.from(p, 'latin1'));
}
