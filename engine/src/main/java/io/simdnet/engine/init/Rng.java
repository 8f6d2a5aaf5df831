package io.simdnet.engine.init;

import java.util.random.RandomGenerator;

/**
 * The engine's random numbers: seeded and splittable, so a whole run (initialisation, shuffling, dropout) is
 * reproducible from one seed, and each consumer gets its own stream whose values do not depend on how much
 * the others drew.
 *
 * <p>The generator is {@link java.util.SplittableRandom}'s SplitMix64, draw for draw (the derived draws, such as
 * bounded ints and Gaussians, come from the same {@link RandomGenerator} defaults that SplittableRandom uses), but
 * with its two words of state readable and restorable: a checkpoint can store a stream mid-run and a resumed run
 * continue it exactly, which SplittableRandom does not allow.
 */
public final class Rng implements RandomGenerator {

    private static final long GOLDEN_GAMMA = 0x9e3779b97f4a7c15L;

    private long seed;
    private long gamma;

    public Rng(long seed) {
        this(seed, GOLDEN_GAMMA);
    }

    private Rng(long seed, long gamma) {
        this.seed = seed;
        this.gamma = gamma;
    }

    /** The two words of state, for a checkpoint: {@link #fromState} continues the stream from here. */
    public long[] state() {
        return new long[] {seed, gamma};
    }

    /** A stream continuing from {@link #state()}; the gamma must be odd, as every gamma this class makes is. */
    public static Rng fromState(long[] state) {
        if (state.length != 2 || (state[1] & 1) == 0) {
            throw new IllegalArgumentException("Rng state: expected two words with an odd second word, got " + java.util.Arrays.toString(state));
        }
        return new Rng(state[0], state[1]);
    }

    /** Continues the stream saved as {@code state} in this object (consumers keep their reference). */
    public void restore(long[] state) {
        Rng from = fromState(state);
        this.seed = from.seed;
        this.gamma = from.gamma;
    }

    /** Makes {@code target} the stream {@link #split()} would return, without a new object; this one advances by one split. */
    public void splitInto(Rng target) {
        long nextSeed = nextLong();
        target.gamma = mixGamma(nextSeed());
        target.seed = nextSeed;
    }

    /** A new independent stream; this one advances by one split. */
    public Rng split() {
        return new Rng(nextLong(), mixGamma(nextSeed()));
    }

    /** Uniform in [low, high). */
    public double uniform(double low, double high) {
        return nextDouble(low, high);
    }

    /** Normal with mean 0 and standard deviation 1. */
    public double gaussian() {
        return nextGaussian();
    }

    @Override
    public long nextLong() {
        return mix64(nextSeed());
    }

    @Override
    public int nextInt() {
        return mix32(nextSeed());
    }

    private long nextSeed() {
        return seed += gamma;
    }

    private static long mix64(long z) {
        z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
        z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
        return z ^ (z >>> 31);
    }

    private static int mix32(long z) {
        z = (z ^ (z >>> 33)) * 0x62a9d9ed799705f5L;
        return (int) (((z ^ (z >>> 28)) * 0xcb24d0a5c88c35b3L) >>> 32);
    }

    private static long mixGamma(long z) {
        z = (z ^ (z >>> 33)) * 0xff51afd7ed558ccdL;
        z = (z ^ (z >>> 33)) * 0xc4ceb9fe1a85ec53L;
        z = (z ^ (z >>> 33)) | 1L;
        int n = Long.bitCount(z ^ (z >>> 1));
        return (n < 24) ? z ^ 0xaaaaaaaaaaaaaaaaL : z;
    }
}
