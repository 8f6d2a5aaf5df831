package io.simdnet.engine.init;

import java.util.SplittableRandom;

/**
 * The engine's random numbers: seeded and splittable, so a whole run (initialisation, shuffling, dropout) is
 * reproducible from one seed, and each consumer gets its own stream whose values do not depend on how much
 * the others drew.
 */
public final class Rng {

    private final SplittableRandom random;

    public Rng(long seed) {
        this(new SplittableRandom(seed));
    }

    private Rng(SplittableRandom random) {
        this.random = random;
    }

    /** A new independent stream; this one advances by one split. */
    public Rng split() {
        return new Rng(random.split());
    }

    /** Uniform in [low, high). */
    public double uniform(double low, double high) {
        return random.nextDouble(low, high);
    }

    /** Normal with mean 0 and standard deviation 1. */
    public double gaussian() {
        return random.nextGaussian();
    }

    /** Uniform in [0, bound). */
    public int nextInt(int bound) {
        return random.nextInt(bound);
    }

    /** Uniform in [0, 1). */
    public double nextDouble() {
        return random.nextDouble();
    }
}
