package io.simdnet.codegen.gen;

import io.simdnet.kernel.DType;
import io.simdnet.kernel.spec.GemmForm;
import io.simdnet.kernel.spec.GemmSpec;
import io.simdnet.kernel.spec.GemmTiling;

/**
 * What the GEMM emitters need to know about one spec, derived once: the micro-panels across N and the edge
 * panel, how A and B are read (packed, gathered, in place with a masked last vector), and which cases of the
 * depth loop can happen. Every decision the generated code could otherwise make at run time is made here.
 *
 * @param lanes elements of one vector
 * @param nr columns of one micro-tile: {@code nrVectors · lanes}
 * @param fullColumns columns covered by full micro-panels
 * @param edgeWidth columns of the last, narrower panel (0 when N is a multiple of NR)
 * @param edgeVectors vectors the edge panel spans
 * @param edgeMasked whether the edge panel's last vector is partial (masked loads and stores)
 * @param gathersB whether packing a transposed B gathers (float only, see {@link #of})
 * @param maskedDirectB B is read in place and its last vector is partial: its last row may need a padded copy
 * @param aStrideIsM A is read in place with the run-time column stride M (TN without packing)
 * @param startsChain whether the first depth block starts the FMA chain differently from the later ones
 *     (zero or the bias, instead of the C stored by the previous block); false when C simply accumulates
 * @param oneDepthBlock whether K ≤ KC, so that the first depth block is the only one
 */
public record GemmCodeFacts(GemmSpec spec, DType type, GemmTiling tiling, int lanes, int nr, int fullColumns, int edgeWidth, int edgeVectors,
        boolean edgeMasked, boolean gathersB, boolean maskedDirectB, boolean aStrideIsM, boolean startsChain, boolean oneDepthBlock) {

    /** The micro-kernels a plan can need: one per shape of column panel. */
    public enum MicroKernel {
        /** NR columns, every vector whole. */
        FULL("microKernel"),
        /** The edge panel: fewer vectors than NR/LANES, the last one partial when {@link GemmCodeFacts#edgeMasked}. */
        EDGE("microKernelEdge");

        private final String methodName;

        MicroKernel(String methodName) {
            this.methodName = methodName;
        }

        public String methodName() {
            return methodName;
        }
    }

    /** How one k step loads the last vector of its B row. */
    public enum LastBVector {
        /** A whole vector, like the others. */
        WHOLE,
        /** A masked load of the lanes inside N. */
        MASKED,
        /** From the zero-padded copy of B's last row, whose masked load would reach past the end of b. */
        PADDED_LAST_ROW
    }

    public static GemmCodeFacts of(GemmSpec spec) {
        DType type = spec.elementType();
        GemmTiling tiling = spec.tiling();
        int lanes = type.lanes(tiling.vectorBits());
        int nr = tiling.nr(type);
        int fullColumns = spec.n() / nr * nr;
        int edgeWidth = spec.n() - fullColumns;
        boolean edgeMasked = edgeWidth % lanes != 0;
        // Double kernels serve gradient checks and copy scalars, because gathers of both element types in one
        // JVM make the JDK's shared gather code see several index species, after which the float kernels'
        // gathers are no longer inlined and allocate.
        boolean gathersB = spec.form().transposeB() && type == DType.F32;
        return new GemmCodeFacts(spec, type, tiling, lanes, nr, fullColumns, edgeWidth, Math.ceilDiv(edgeWidth, lanes), edgeMasked, gathersB,
                edgeMasked && !tiling.packB(), spec.form().transposeA() && !tiling.packA(), !spec.accumulate() || spec.bias(),
                spec.k() <= tiling.kc());
    }

    public GemmForm form() {
        return spec.form();
    }

    public boolean packA() {
        return tiling.packA();
    }

    public boolean packB() {
        return tiling.packB();
    }

    public int mr() {
        return tiling.mr();
    }

    /** NR-wide micro-panels across N, the edge panel included. */
    public int columnPanels() {
        return Math.ceilDiv(spec.n(), nr);
    }

    public boolean hasFullPanels() {
        return fullColumns > 0;
    }

    public boolean hasEdgePanel() {
        return edgeWidth > 0;
    }

    /** Vectors of the panel a micro-kernel serves. */
    public int vectors(MicroKernel kernel) {
        return kernel == MicroKernel.FULL ? tiling.nrVectors() : edgeVectors;
    }

    /** Whether the last vector of that panel is partial. */
    public boolean masked(MicroKernel kernel) {
        return kernel == MicroKernel.EDGE && edgeMasked;
    }

    /** Whether the micro-kernel must be told if this is the first depth block (there are several, and it matters). */
    public boolean passesFirstBlock() {
        return startsChain && !oneDepthBlock;
    }

    /** What starts the FMA chain in the first depth block, for comments. */
    public String chainStart() {
        if (spec.accumulate()) {
            return "C + bias";
        }
        return spec.bias() ? "the bias" : "zero";
    }
}
