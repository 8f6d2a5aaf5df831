package io.simdnet.kernel.spec;

import io.simdnet.kernel.DType;

/**
 * How a GEMM is blocked, in BLIS terms: an {@code mr} × ({@code nrVectors} vectors) register micro-tile, the
 * depth {@code kc}, column block {@code nc} and row block {@code mc} of the cache loops, the vector width, and
 * the vector target (width and register budget), and whether A and B are copied into contiguous micro-panels ({@code packA}, {@code packB}). These are part of the spec so that an
 * autotuner can search them; {@link #defaultsFor} picks good values per shape.
 */
public record GemmTiling(int mr, int nrVectors, int kc, int nc, int mc, VectorTarget target, boolean packA, boolean packB) {

    /** Per-core L2 of the Zen 4/5 machines this is tuned on: a B larger than this is streamed in packed blocks. */
    private static final long L2_BYTES = 1L << 20;

    public GemmTiling {
        require(mr >= 1 && mr <= 32, "mr", mr, "1..32");
        require(nrVectors >= 1 && nrVectors <= 8, "nrVectors", nrVectors, "1..8");
        if (target == null) {
            throw new IllegalArgumentException("GEMM tiling: a vector target is required");
        }
        if (registers(mr, nrVectors) > target.registers()) {
            throw new IllegalArgumentException("GEMM tiling: a " + mr + " × " + nrVectors + "-vector micro-tile needs " + registers(mr, nrVectors)
                    + " vector registers (" + mr * nrVectors + " accumulators, " + nrVectors + " B vectors, 1 broadcast of A), expected at most "
                    + target.registers() + " (" + target + ")");
        }
        require(kc >= 1, "kc", kc, ">= 1");
        require(nc >= 1, "nc", nc, ">= 1");
        require(mc >= 1, "mc", mc, ">= 1");
    }

    /** Vector registers an {@code mr} × {@code nrVectors} micro-kernel keeps live: accumulators, B vectors, one broadcast. */
    public static int registers(int mr, int nrVectors) {
        return mr * nrVectors + nrVectors + 1;
    }

    /** The most rows a micro-tile {@code nrVectors} vectors wide can have without spilling {@code registers} registers. */
    public static int maxRows(int nrVectors, int registers) {
        return (registers - 1 - nrVectors) / nrVectors;
    }

    /** Vector width in bits. */
    public int vectorBits() {
        return target.bits();
    }

    private static void require(boolean ok, String name, int value, String expected) {
        if (!ok) {
            throw new IllegalArgumentException("GEMM tiling: " + name + " = " + value + ", expected " + expected);
        }
    }

    /** Columns of one micro-tile. */
    public int nr(DType type) {
        return nrVectors * type.lanes(target.bits());
    }

    /**
     * Default blocking for a shape. The register tile is the widest one whose columns waste the fewest padded
     * lanes of N; KC keeps a B micro-panel near L1 size, NC a packed B block within L2.
     */
    public static GemmTiling defaultsFor(DType type, GemmForm form, int k, int n, VectorTarget target) {
        int lanes = type.lanes(target.bits());
        int vectorsOfN = Math.ceilDiv(n, lanes);
        int nrVectors;
        int mr;
        if (target.registers() < 32) {
            // 16 registers (AVX2): 6 rows × 2 vectors keeps 12 accumulators, 2 B vectors and the broadcast live.
            nrVectors = vectorsOfN <= 1 ? 1 : 2;
            mr = nrVectors == 1 ? 8 : 6;
        } else {
            if (vectorsOfN <= 1) {
                nrVectors = 1;
            } else if (vectorsOfN == 2) {
                nrVectors = 2;
            } else if (vectorsOfN % 4 == 0 || vectorsOfN > 12) {
                nrVectors = 4;
            } else if (vectorsOfN % 3 == 0) {
                nrVectors = 3;
            } else {
                nrVectors = 4;
            }
            // One vector wide, the broadcasts of A, not the FMAs, are the bottleneck: 8 rows measured best at N = 10.
            mr = switch (nrVectors) {
                case 1 -> 8;
                case 2 -> 12;
                case 3 -> 8;
                default -> 6;
            };
        }
        return blockedFor(type, form, k, n, target, mr, nrVectors);
    }

    /**
     * The default cache blocking and packing around an {@code mr} × {@code nrVectors} micro-tile: what
     * {@link #defaultsFor} uses for its tile, and the autotuner for the tiles it measures.
     */
    public static GemmTiling blockedFor(DType type, GemmForm form, int k, int n, VectorTarget target, int mr, int nrVectors) {
        int nr = nrVectors * type.lanes(target.bits());
        // Copying B pays when its rows are far apart (large N: 4 KiB aliasing in L1), when it is stored
        // transposed, or when it does not fit L2; for smaller weights a direct read is cheaper than the copy.
        boolean packB = form.transposeB() || n >= 256 || (long) k * n * type.bytes() > L2_BYTES;
        // A is read in place: measured on Zen 5 at 1024³ and 2048³, copying it into panels cost 15-35% more
        // than the L1 conflicts it avoids, and small-M shapes cannot amortise a copy at all.
        boolean packA = false;
        // A deep KC keeps the C tile in registers longer; with packing, a narrow NC keeps the KC × NC block of B
        // in L2 (measured best at 1024³: KC 512-1024, NC 64-128).
        int kc = Math.min(k, 512);
        int nc = packB ? Math.min(defaultNc(n, nr), 2 * nr) : defaultNc(n, nr);
        return new GemmTiling(mr, nrVectors, kc, nc, defaultMc(mr), target, packA, packB);
    }

    /** Columns per cache block: all of N up to 512, in whole micro-panels of width {@code nr}. */
    static int defaultNc(int n, int nr) {
        return Math.min(Math.ceilDiv(n, nr) * nr, Math.max(nr, (512 / nr) * nr));
    }

    /** Rows per cache block: about 96, in whole micro-tiles of {@code mr} rows. */
    static int defaultMc(int mr) {
        return Math.max(mr, (96 / mr) * mr);
    }
}
