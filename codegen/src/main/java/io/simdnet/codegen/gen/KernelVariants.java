package io.simdnet.codegen.gen;

import io.simdnet.codegen.plan.Conv2dAlgorithmPlan;
import io.simdnet.codegen.plan.DirectConvPass;
import io.simdnet.codegen.plan.DirectConvTiling;
import io.simdnet.kernel.DType;
import io.simdnet.kernel.spec.Conv2dAlgorithm;
import io.simdnet.kernel.spec.Conv2dSpec;
import io.simdnet.kernel.spec.DirectConvTiles;
import io.simdnet.kernel.spec.GemmSpec;
import io.simdnet.kernel.spec.GemmTiling;
import io.simdnet.kernel.spec.KernelSpec;
import io.simdnet.kernel.spec.Pool2dSpec;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The variants the generators can emit for one spec, what the autotuner measures: each a valid spec of its
 * own, computing the same function in another way. The first is always the spec as given (the default the
 * rules pick), so a tie goes to it. Pruned by the register budget and a cost model to a handful per spec:
 *
 * <ul>
 *   <li>GEMM: the micro-tiles (rows × vectors) whose padded work on the call's M and the spec's N costs least,
 *       each with its default cache blocking; the default tile with B packed the other way, and with a
 *       shallower KC.
 *   <li>Convolution: the other algorithms that can compute it (direct, blocked, im2col, dense), and for DIRECT the
 *       cost model's next register tiles of each of its three passes.
 *   <li>Pooling: its generator has no blocking choice, so the spec alone.
 * </ul>
 * Float64 specs (gradient checks) are not tuned: they have the one variant.
 */
public final class KernelVariants {

    /**
     * Micro-tiles measured besides the default. Each candidate costs the JIT 0.2-0.4 s to compile before it can
     * be timed (Zen 4, C2 on one of two cores), which is what bounds the count within a 2 s budget.
     */
    private static final int GEMM_TILES = 3;
    /** More rows per micro-tile only lengthen the generated kernel: the broadcasts are far below the FMAs. */
    private static final int MAX_ROWS = 16;
    /** Wider micro-tiles than 4 vectors spill on 32 registers for any useful row count. */
    private static final int MAX_VECTORS = 4;
    /** The shallower depth tried for a deep GEMM. */
    private static final int SHALLOW_KC = 256;
    /** DIRECT tiles measured per pass, the cost model's first included. */
    private static final int DIRECT_TILES = 3;

    private KernelVariants() {
    }

    /** The variants of {@code spec} for calls of {@code batch} rows (GEMM's M) or images (convolution). */
    public static List<KernelSpec> of(KernelSpec spec, int batch) {
        if (batch < 1) {
            throw new IllegalArgumentException("kernel variants of '" + spec.key() + "': batch = " + batch + ", expected >= 1");
        }
        if (spec.elementType() != DType.F32) {
            return List.of(spec);
        }
        return switch (spec) {
            case GemmSpec gemm -> List.copyOf(gemm(gemm, batch));
            case Conv2dSpec conv -> List.copyOf(conv(conv));
            case Pool2dSpec pool -> List.of(pool);
        };
    }

    /**
     * The default variant of the function {@code spec} computes: what a layer asks for, and what tuning records
     * are keyed by (the GEMM with its default tiling, the convolution with the plan's rule and no tiles).
     */
    public static KernelSpec defaultOf(KernelSpec spec) {
        return switch (spec) {
            case GemmSpec g -> GemmSpec.of(g.elementType(), g.form(), g.k(), g.n(), g.bias(), g.accumulate(), g.target());
            case Conv2dSpec c -> c.canonical();
            case Pool2dSpec p -> p;
        };
    }

    /** Whether {@code variant} computes what the default {@code spec} does (so a record may send it there). */
    public static boolean isVariantOf(KernelSpec variant, KernelSpec spec) {
        return defaultOf(spec).equals(spec) && defaultOf(variant).equals(spec);
    }

    private static Set<KernelSpec> gemm(GemmSpec spec, int m) {
        Set<KernelSpec> variants = new LinkedHashSet<>();
        variants.add(spec);
        DType type = spec.elementType();
        GemmTiling base = spec.tiling();
        int registers = base.target().registers();
        int vectorsOfN = Math.ceilDiv(spec.n(), type.lanes(base.vectorBits()));
        record Tile(int mr, int nrVectors, long cost) {
        }
        List<Tile> tiles = new ArrayList<>();
        for (int nrv = 1; nrv <= Math.min(MAX_VECTORS, vectorsOfN); nrv++) {
            for (int mr = 1; mr <= Math.min(MAX_ROWS, GemmTiling.maxRows(nrv, registers)); mr++) {
                // A k step of a micro-tile issues mr·nrv FMAs, nrv loads of B and mr broadcasts of A; about one load per FMA
                // issues beside them, so it costs the larger; padded rows and columns are paid in full.
                long perStep = Math.max(mr * nrv, mr + nrv);
                tiles.add(new Tile(mr, nrv, (long) Math.ceilDiv(m, mr) * Math.ceilDiv(vectorsOfN, nrv) * perStep));
            }
        }
        tiles.sort(Comparator.comparingLong(Tile::cost).thenComparing(Comparator.comparingInt((Tile t) -> t.mr() * t.nrVectors()).reversed()));
        int added = 0;
        for (Tile t : tiles) {
            if (added == GEMM_TILES) {
                break;
            }
            if (t.mr() == base.mr() && t.nrVectors() == base.nrVectors()) {
                continue;
            }
            variants.add(spec.withTiling(GemmTiling.blockedFor(type, spec.form(), spec.k(), spec.n(), base.target(), t.mr(), t.nrVectors())));
            added++;
        }
        if (!spec.form().transposeB()) {
            variants.add(spec.withTiling(new GemmTiling(base.mr(), base.nrVectors(), base.kc(), base.nc(), base.mc(), base.target(), base.packA(),
                    !base.packB())));
        }
        if (spec.k() > SHALLOW_KC && base.kc() > SHALLOW_KC) {
            variants.add(spec.withTiling(new GemmTiling(base.mr(), base.nrVectors(), SHALLOW_KC, base.nc(), base.mc(), base.target(), base.packA(),
                    base.packB())));
        }
        return variants;
    }

    private static Set<KernelSpec> conv(Conv2dSpec spec) {
        Set<KernelSpec> variants = new LinkedHashSet<>();
        variants.add(spec);
        for (Conv2dAlgorithm algorithm : List.of(Conv2dAlgorithm.DIRECT, Conv2dAlgorithm.BLOCKED, Conv2dAlgorithm.IM2COL, Conv2dAlgorithm.DENSE)) {
            Conv2dSpec forced = spec.withAlgorithm(algorithm);
            Conv2dAlgorithmPlan plan;
            try {
                plan = Conv2dAlgorithmPlan.of(forced);
            } catch (IllegalArgumentException cannot) {
                continue;
            }
            if (algorithm == Conv2dAlgorithmPlan.of(spec).algorithm() && spec.tiles() == null) {
                // The spec itself computes it so.
                if (algorithm != Conv2dAlgorithm.DIRECT) {
                    continue;
                }
            } else {
                variants.add(forced);
            }
            if (algorithm == Conv2dAlgorithm.DIRECT) {
                variants.addAll(directTiles(forced, plan));
            }
        }
        return variants;
    }

    /** The k-th variant pairs each pass's k-th tile by the cost model: each pass is timed on its own, so one variant per rank suffices. */
    private static List<Conv2dSpec> directTiles(Conv2dSpec direct, Conv2dAlgorithmPlan plan) {
        List<DirectConvPass> forward = DirectConvTiling.rankedTiles(plan.forwardPass(), direct.target());
        List<DirectConvPass> data = DirectConvTiling.rankedTiles(plan.backwardDataPass(), direct.target());
        List<DirectConvTiling.WeightsTile> weights = DirectConvTiling.rankedWeightsTiles(plan.forwardPass(), direct.target());
        List<Conv2dSpec> variants = new ArrayList<>();
        DirectConvTiles model = plan.directTiles();
        for (int rank = 1; rank < DIRECT_TILES; rank++) {
            DirectConvPass f = forward.get(Math.min(rank, forward.size() - 1));
            DirectConvPass d = data.get(Math.min(rank, data.size() - 1));
            DirectConvTiling.WeightsTile w = weights.get(Math.min(rank, weights.size() - 1));
            DirectConvTiles tiles = DirectConvTiling.tilesOf(f, d, w);
            // Where every pass has a single tile, a lower rank is the model's own tiles: the same code under another key.
            if (!tiles.equals(model)) {
                variants.add(direct.withTiles(tiles));
            }
        }
        return variants;
    }
}
