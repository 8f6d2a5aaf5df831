package io.simdnet.codegen.plan;

import io.simdnet.kernel.DType;
import io.simdnet.kernel.spec.Conv2dAlgorithm;
import io.simdnet.kernel.spec.DirectConvTiles;
import io.simdnet.kernel.spec.VectorTarget;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * The register tiles of {@link Conv2dAlgorithm#DIRECT}, chosen by a cost model in vector-instruction slots:
 * a tap of a forward tile issues {@code block · vectors} FMAs and {@code vectors + block} loads (the input
 * vectors and the broadcast weights), and a core issues about one vector load per FMA, so a tap costs the
 * larger of the two; channels of a partial last block and positions of a partial last tile are paid in full,
 * and each tap pays a fixed loop overhead. The cheapest tile within the register
 * budget wins; ties go to the larger tile. The autotuner measures the model's first few ({@link #rankedTiles},
 * {@link #rankedWeightsTiles}) and keeps the fastest.
 */
public final class DirectConvTiling {

    /** Slots of loop overhead per tap: the index updates and the branch. */
    private static final int LOOP_OVERHEAD = 2;
    /**
     * Of the target's vector registers, the share a tile may use: C2 spilled tiles of 24 or more accumulators
     * out of 32 registers, which then ran at half the speed of 16 (Zen 4, 3×3 on 32 channels).
     */
    private static final int USABLE_NUMERATOR = 3;
    private static final int USABLE_DENOMINATOR = 4;
    /** Slots the lane sum of one dW accumulator costs, with its store: paid once per batch, weighed as once per image to favour fewer accumulators. */
    private static final int REDUCE_COST = 6;
    /** More vectors per tile than this only lengthen the method: tiles are already far above the loop overhead. */
    private static final int MAX_VECTORS = 8;

    private DirectConvTiling() {
    }

    /** The forward-like pass over the given geometry with the cheapest register tile for {@code target}. */
    public static DirectConvPass pass(DType type, VectorTarget target, int inChannels, int height, int width, int outChannels, int kernelH,
            int kernelW, int padTop, int padBottom, int padLeft, int padRight) {
        DirectConvPass any = new DirectConvPass(inChannels, height, width, outChannels, kernelH, kernelW, padTop, padBottom, padLeft, padRight,
                type.lanes(target.bits()), 1, 1);
        return rankedTiles(any, target).getFirst();
    }

    /**
     * {@code pass} with every register tile within the budget, cheapest first by the cost model (ties: the larger
     * tile first); the autotuner measures the first few.
     */
    public static List<DirectConvPass> rankedTiles(DirectConvPass pass, VectorTarget target) {
        List<DirectConvPass> tiles = new ArrayList<>();
        for (int vectors = 1; vectors <= MAX_VECTORS; vectors++) {
            for (int block = 1; block <= pass.outChannels(); block++) {
                if (DirectConvPass.registersUsed(block, vectors) > usable(target)) {
                    break;
                }
                tiles.add(pass.withTile(block, vectors));
            }
        }
        tiles.sort(Comparator.comparingLong(DirectConvTiling::forwardCost)
                .thenComparing(Comparator.comparingInt((DirectConvPass p) -> p.outChannelBlock() * p.vectors()).reversed()));
        return tiles;
    }

    /** The registers a tile may use on {@code target}. */
    public static int usable(VectorTarget target) {
        return target.registers() * USABLE_NUMERATOR / USABLE_DENOMINATOR;
    }

    static long forwardCost(DirectConvPass p) {
        int taps = p.kernelH() * p.kernelW();
        int full = p.outChannels() / p.outChannelBlock();
        int rest = p.outChannels() % p.outChannelBlock();
        long perChannel = (long) full * blockCost(p.outChannelBlock(), p.vectors(), taps) + (rest > 0 ? blockCost(rest, p.vectors(), taps) : 0);
        return perChannel * p.tiles() * p.inChannels();
    }

    private static long blockCost(int block, int vectors, int taps) {
        return (long) taps * (Math.max(block * vectors, block + vectors) + LOOP_OVERHEAD);
    }

    /**
     * The backward-weights tile: {@code outChannelBlock} output channels × {@code taps} consecutive taps of the
     * window, one dW vector accumulator each, streaming over the wide output positions; it holds the block's
     * gradient vectors and one input vector besides the accumulators.
     */
    public record WeightsTile(int outChannelBlock, int taps) {

        public static int registersUsed(int outChannelBlock, int taps) {
            return outChannelBlock * taps + outChannelBlock + 1;
        }
    }

    /** The tiles of three passes as a spec's {@code tiles=} names them (each pass may come from another plan: the tuner's choice). */
    public static DirectConvTiles tilesOf(DirectConvPass forward, DirectConvPass backwardData, WeightsTile weights) {
        return new DirectConvTiles(forward.outChannelBlock(), forward.vectors(), backwardData.outChannelBlock(), backwardData.vectors(),
                weights.outChannelBlock(), weights.taps());
    }

    /** The cheapest backward-weights tile for {@code forward}'s geometry on {@code target}. */
    public static WeightsTile weightsTile(DirectConvPass forward, VectorTarget target) {
        return rankedWeightsTiles(forward, target).getFirst();
    }

    /** Every backward-weights tile within the budget, cheapest first (ties: the larger tile first). */
    public static List<WeightsTile> rankedWeightsTiles(DirectConvPass forward, VectorTarget target) {
        int window = forward.kernelH() * forward.kernelW();
        long positionVectors = Math.ceilDiv(forward.widePositions(), forward.lanes());
        List<WeightsTile> tiles = new ArrayList<>();
        for (int taps = 1; taps <= window; taps++) {
            for (int block = 1; block <= forward.outChannels(); block++) {
                if (WeightsTile.registersUsed(block, taps) > usable(target)) {
                    break;
                }
                tiles.add(new WeightsTile(block, taps));
            }
        }
        tiles.sort(Comparator.comparingLong((WeightsTile t) -> weightsCost(forward.outChannels(), window, positionVectors, t.outChannelBlock(), t.taps()))
                .thenComparing(Comparator.comparingInt((WeightsTile t) -> t.outChannelBlock() * t.taps()).reversed()));
        return tiles;
    }

    private static long weightsCost(int outChannels, int window, long positionVectors, int block, int taps) {
        long cost = 0;
        for (int oc = 0; oc < outChannels; oc += block) {
            int r = Math.min(block, outChannels - oc);
            for (int t = 0; t < window; t += taps) {
                int g = Math.min(taps, window - t);
                cost += positionVectors * Math.max(r * g, r + g) + (long) r * g * REDUCE_COST + LOOP_OVERHEAD;
            }
        }
        return cost;
    }
}
