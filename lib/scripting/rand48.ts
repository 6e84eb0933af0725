// The 48-bit linear congruential generator of POSIX drand48 (x' = 0x5DEECE66D * x + 0xB mod 2^48),
// which Redis 7.0 uses for its scripts' math.random. Redis 7.0 does not reseed it before each run
// (scripts replicate their effects, not themselves): the sequence starts from the generator's
// default state (0x1234ABCD330E) when the process starts and goes on across runs, and
// math.randomseed(n) restarts it from n. The state is kept as two 24-bit halves so every product
// stays exact in a double.

const TWO24 = 0x1000000;
const A_HI = 0x5de; // 0x5DEECE66D >> 24
const A_LO = 0xece66d; // 0x5DEECE66D & 0xffffff
const C = 0xb;

/** Redis scales lrand48's 31 bits by INT32_MAX. */
export const RAND48_MAX = 0x7fffffff;

export class Rand48 {
  // the default state: 0x1234ABCD330E
  private hi = 0x1234ab;
  private lo = 0xcd330e;

  /** srand48: the high 32 bits of the state are the seed's low 32 bits, the low 16 are 0x330E. */
  seed(seed: number): void {
    const s = seed >>> 0;
    // state = s << 16 | 0x330E, split into 24-bit halves
    this.hi = Math.floor(s / 256); // s >> 8: the top 24 of the 48 bits
    this.lo = (s & 0xff) * 0x10000 + 0x330e;
  }

  /** lrand48: the next state's top 31 bits. */
  next31(): number {
    const lo = this.lo;
    const hi = this.hi;
    const low = lo * A_LO + C;
    const carry = Math.floor(low / TWO24);
    this.lo = low - carry * TWO24;
    // only the low 24 bits of the high half matter (mod 2^48); keep each term small enough
    const mid = (carry + ((hi * A_LO) % TWO24) + ((lo * A_HI) % TWO24)) % TWO24;
    this.hi = mid;
    // the top 31 of the 48 bits: (hi * 2^24 + lo) >> 17
    return mid * 128 + Math.floor(this.lo / 131072);
  }

  /** A double in [0, 1) as Redis computes it: (lrand48() % INT32_MAX) / INT32_MAX. */
  nextDouble(): number {
    return (this.next31() % RAND48_MAX) / RAND48_MAX;
  }
}
