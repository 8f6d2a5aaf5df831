package io.simdnet.kernel;

import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;

/**
 * The constants of an in-register transpose of v vectors of v lanes, for the generated kernels that copy
 * activations between NCHW and a channel-blocked layout (a scalar copy there reads or writes one element per
 * cycle at best, and a plane of 4 KiB between channels puts every lane in the same L1 set).
 *
 * <p>The transpose runs one stage per bit d of a lane index (d = v/2, …, 2, 1): rows r and r + d, for every r
 * whose bit d is clear, exchange the lanes in which bit d differs from the row's, so that after all stages lane k
 * of row r holds what lane r of row k held. In Vector API terms, with {@code swap = swap(species, d)} and
 * {@code upper = upper(species, d)}:
 * <pre>{@code
 * newR  = r.blend(rd.rearrange(swap), upper);
 * newRd = r.rearrange(swap).blend(rd, upper);
 * }</pre>
 * The generated classes keep the results in {@code static final} fields, so C2 sees them as constants.
 */
public final class LaneTranspose {

    private LaneTranspose() {
    }

    /** Lane k takes lane k XOR d: the pairs of lanes {@code distance} apart exchanged. */
    public static <E> VectorShuffle<E> swap(VectorSpecies<E> species, int distance) {
        requireStage(species, distance);
        return VectorShuffle.fromOp(species, k -> k ^ distance);
    }

    /** The lanes whose index has bit {@code distance} set. */
    public static <E> VectorMask<E> upper(VectorSpecies<E> species, int distance) {
        requireStage(species, distance);
        boolean[] set = new boolean[species.length()];
        for (int k = 0; k < set.length; k++) {
            set[k] = (k & distance) != 0;
        }
        return VectorMask.fromArray(species, set, 0);
    }

    private static void requireStage(VectorSpecies<?> species, int distance) {
        if (Integer.bitCount(distance) != 1 || distance >= species.length()) {
            throw new IllegalArgumentException("lane transpose stage: distance " + distance + ", expected a power of two below the "
                    + species.length() + " lanes of " + species);
        }
    }
}
