package io.simdnet.codegen.plan;

import io.simdnet.kernel.DType;
import io.simdnet.kernel.spec.Conv2dAlgorithm;
import io.simdnet.kernel.spec.Conv2dSpec;
import io.simdnet.kernel.spec.DirectConvTiles;
import io.simdnet.kernel.spec.GemmForm;
import io.simdnet.kernel.spec.GemmSpec;
import io.simdnet.kernel.spec.VectorTarget;
import java.util.List;

/**
 * How a {@link Conv2dSpec} is computed, derived from the spec alone: the algorithm and what its passes need
 * (the GEMMs of {@link Conv2dAlgorithm#IM2COL} and {@link Conv2dAlgorithm#DENSE}, the pass geometries and
 * register tiles of {@link Conv2dAlgorithm#DIRECT}). The generators, the catalog, the registry and the tuner all
 * ask this one record, so the decision is made once (in the manner of oneDNN's primitive descriptors). It lives
 * beside the generators because it is theirs: the spec says what to compute, the plan how.
 *
 * <p>The rule for {@link Conv2dAlgorithm#AUTO}: DENSE when the kernel covers the whole unpadded input (one
 * output position); else, when every side's padding is below the kernel size, BLOCKED if the input and output
 * channels each fill at least three quarters of a vector's lanes (and, for a strided layer, the vectors are 512
 * bits), DIRECT if not and the stride is 1; else IM2COL. Measured on Zen 4 (README, Convolutions), DIRECT is faster than im2col on every stride-1 layer of the
 * benchmarks; DIRECT reads its inputs as consecutive positions along a row, which a stride breaks. Measured on Zen 5
 * (family 26, docs/results.md), BLOCKED runs a strided 64→128 3×3 layer's forward 1.3-1.5× faster than im2col and
 * its backward passes together about as fast; on three input channels (CS231n's strided first layer) its backward is
 * 3-4× slower, so few-channel strided layers stay IM2COL; with 256- and 128-bit vectors (the same Zen 5 through
 * {@code -XX:UseAVX=2} and {@code -XX:MaxVectorSize=16}) the whole 64→128 layer is 1.2× slower in BLOCKED than in im2col,
 * its phased backward-data the loser, so strided layers stay IM2COL there. Measured on Zen 2
 * (docs/results.md), BLOCKED runs the 32→32 and 64→64 3×3 layers 1.4-1.9× faster than DIRECT and LeNet-5's 6→16
 * 5×5 1.0-1.3×, while on 1 and 3 input channels, whose block is mostly zero lanes, it is 1.2-8× slower.
 *
 * @param forwardGemm null for DIRECT
 * @param backwardDataGemm null for DIRECT
 * @param backwardWeightsGemm null for DENSE, whose backward-weights depth is the batch size (see
 *     {@link #backwardWeightsGemm(int)}), and for DIRECT
 * @param forwardPass the forward pass of DIRECT, else null
 * @param backwardDataPass DIRECT's backward-data pass: the forward pass of the transposed geometry, else null
 * @param weightsTile DIRECT's backward-weights register tile, else null
 * @param blockedForward the forward pass of BLOCKED, else null
 * @param blockedBackwardData BLOCKED's backward-data pass: the forward pass of the transposed geometry (dY dilated by a stride), else null
 * @param blockedWeights BLOCKED's backward-weights register tile, else null
 */
public record Conv2dAlgorithmPlan(Conv2dSpec spec, Conv2dAlgorithm algorithm, GemmSpec forwardGemm, GemmSpec backwardDataGemm,
        GemmSpec backwardWeightsGemm, DirectConvPass forwardPass, DirectConvPass backwardDataPass, DirectConvTiling.WeightsTile weightsTile,
        BlockedConvPass blockedForward, BlockedConvPass blockedBackwardData, BlockedWeightsTile blockedWeights) {

    /** The share of a vector's lanes both channel counts must fill for AUTO to choose BLOCKED. */
    private static final int BLOCK_FILL_NUMERATOR = 3;
    private static final int BLOCK_FILL_DENOMINATOR = 4;
    /** The narrowest vectors at which AUTO gives a strided layer to BLOCKED: at 256 and 128 bits its phased backward-data loses. */
    private static final int STRIDED_BLOCKED_MIN_BITS = 512;

    public static Conv2dAlgorithmPlan of(Conv2dSpec spec) {
        Conv2dAlgorithm algorithm = switch (spec.algorithm()) {
            case AUTO -> isDense(spec) ? Conv2dAlgorithm.DENSE
                    : paddingProblem(spec) != null ? Conv2dAlgorithm.IM2COL
                    : fillsChannelBlocks(spec) && (isUnstrided(spec) || spec.target().bits() >= STRIDED_BLOCKED_MIN_BITS)
                            ? Conv2dAlgorithm.BLOCKED
                    : directProblem(spec) == null ? Conv2dAlgorithm.DIRECT : Conv2dAlgorithm.IM2COL;
            case DENSE -> {
                if (!isDense(spec)) {
                    throw new IllegalArgumentException("Conv2d spec '" + spec.key() + "': algo=dense needs a kernel covering the whole unpadded input");
                }
                yield Conv2dAlgorithm.DENSE;
            }
            case DIRECT, BLOCKED -> {
                String problem = spec.algorithm() == Conv2dAlgorithm.DIRECT ? directProblem(spec) : paddingProblem(spec);
                if (problem != null) {
                    throw new IllegalArgumentException("Conv2d spec '" + spec.key() + "': algo=" + spec.algorithm().token() + " needs " + problem);
                }
                yield spec.algorithm();
            }
            case IM2COL -> Conv2dAlgorithm.IM2COL;
        };
        DType type = spec.elementType();
        VectorTarget target = spec.target();
        return switch (algorithm) {
            case DENSE -> new Conv2dAlgorithmPlan(spec, algorithm,
                    GemmSpec.of(type, GemmForm.NT, spec.patchSize(), spec.outChannels(), spec.bias(), false, target),
                    GemmSpec.of(type, GemmForm.NN, spec.outChannels(), spec.patchSize(), false, false, target),
                    null, null, null, null, null, null, null);
            case DIRECT -> direct(spec);
            case BLOCKED -> blocked(spec);
            default -> {
                int positions = spec.outHeight() * spec.outWidth();
                yield new Conv2dAlgorithmPlan(spec, algorithm,
                        GemmSpec.of(type, GemmForm.NN, spec.patchSize(), positions, false, false, target),
                        GemmSpec.of(type, GemmForm.TN, spec.outChannels(), positions, false, false, target),
                        GemmSpec.of(type, GemmForm.NT, positions, spec.outChannels(), false, false, target),
                        null, null, null, null, null, null);
            }
        };
    }

    private static Conv2dAlgorithmPlan direct(Conv2dSpec s) {
        DirectConvPass forward = DirectConvTiling.pass(s.elementType(), s.target(), s.inChannels(), s.height(), s.width(), s.outChannels(),
                s.kernelH(), s.kernelW(), s.padTop(), s.padBottom(), s.padLeft(), s.padRight());
        // dX is the stride-1 convolution of dY padded by K − 1 − p on each side with the rotated weights, channels swapped.
        DirectConvPass backwardData = DirectConvTiling.pass(s.elementType(), s.target(), s.outChannels(), s.outHeight(), s.outWidth(),
                s.inChannels(), s.kernelH(), s.kernelW(), s.kernelH() - 1 - s.padTop(), s.kernelH() - 1 - s.padBottom(),
                s.kernelW() - 1 - s.padLeft(), s.kernelW() - 1 - s.padRight());
        DirectConvTiling.WeightsTile weights = DirectConvTiling.weightsTile(forward, s.target());
        DirectConvTiles t = s.tiles();
        if (t != null) {
            forward = retiled(s, "forward", forward, t.forwardBlock(), t.forwardVectors());
            backwardData = retiled(s, "backward-data", backwardData, t.dataBlock(), t.dataVectors());
            int window = s.kernelH() * s.kernelW();
            int registers = DirectConvTiling.WeightsTile.registersUsed(t.weightsBlock(), t.weightsTaps());
            if (t.weightsBlock() > s.outChannels() || t.weightsTaps() > window || registers > s.target().registers()) {
                throw new IllegalArgumentException("Conv2d spec '" + s.key() + "': backward-weights tile " + t.weightsBlock() + " channels × "
                        + t.weightsTaps() + " taps needs at most " + s.outChannels() + " channels, " + window + " taps and "
                        + s.target().registers() + " registers, got " + registers + " registers");
            }
            weights = new DirectConvTiling.WeightsTile(t.weightsBlock(), t.weightsTaps());
        }
        return new Conv2dAlgorithmPlan(s, Conv2dAlgorithm.DIRECT, null, null, null, forward, backwardData, weights, null, null, null);
    }

    private static Conv2dAlgorithmPlan blocked(Conv2dSpec s) {
        BlockedConvPass forward = BlockedConvPass.of(s.elementType(), s.target(), s.inChannels(), s.height(), s.width(), s.outChannels(),
                s.kernelH(), s.kernelW(), s.padTop(), s.padBottom(), s.padLeft(), s.padRight(), s.strideH(), s.strideW(), 1, 1);
        // As for DIRECT: dX is the stride-1 convolution of dY padded by K − 1 − p with the rotated, channel-swapped weights;
        // a strided layer's dY is dilated by its stride, and the bottom and right take the input rows and columns
        // that no forward window reached (the padded input minus the last window's end).
        int dilatedHeight = (s.outHeight() - 1) * s.strideH() + 1;
        int dilatedWidth = (s.outWidth() - 1) * s.strideW() + 1;
        BlockedConvPass backwardData = BlockedConvPass.of(s.elementType(), s.target(), s.outChannels(), s.outHeight(), s.outWidth(),
                s.inChannels(), s.kernelH(), s.kernelW(), s.kernelH() - 1 - s.padTop(), s.height() - dilatedHeight + s.padTop(),
                s.kernelW() - 1 - s.padLeft(), s.width() - dilatedWidth + s.padLeft(), 1, 1, s.strideH(), s.strideW());
        BlockedWeightsTile weights = BlockedWeightsTile.of(s.target(), s.outChannels(), s.kernelW());
        return new Conv2dAlgorithmPlan(s, Conv2dAlgorithm.BLOCKED, null, null, null, null, null, null, forward, backwardData, weights);
    }

    /** {@code pass} with the asked-for tile, which must fit the target's registers and the pass's channels. */
    private static DirectConvPass retiled(Conv2dSpec s, String name, DirectConvPass pass, int block, int vectors) {
        int registers = DirectConvPass.registersUsed(block, vectors);
        if (block > pass.outChannels() || registers > s.target().registers()) {
            throw new IllegalArgumentException("Conv2d spec '" + s.key() + "': " + name + " tile " + block + " channels × " + vectors
                    + " vectors needs at most " + pass.outChannels() + " channels and " + s.target().registers() + " registers, got "
                    + registers + " registers");
        }
        return pass.withTile(block, vectors);
    }

    private static boolean isDense(Conv2dSpec spec) {
        return spec.outHeight() == 1 && spec.outWidth() == 1 && spec.kernelH() == spec.height() && spec.kernelW() == spec.width()
                && spec.padTop() == 0 && spec.padBottom() == 0 && spec.padLeft() == 0 && spec.padRight() == 0;
    }

    /** Whether the input and output channels each fill at least three quarters of a vector's lanes: BLOCKED's zero lanes are then few. */
    private static boolean fillsChannelBlocks(Conv2dSpec spec) {
        int lanes = spec.elementType().lanes(spec.target().bits());
        return Math.min(spec.inChannels(), spec.outChannels()) * BLOCK_FILL_DENOMINATOR >= lanes * BLOCK_FILL_NUMERATOR;
    }

    private static boolean isUnstrided(Conv2dSpec spec) {
        return spec.strideH() == 1 && spec.strideW() == 1;
    }

    /** Why DIRECT cannot compute {@code spec}, or null when it can. */
    private static String directProblem(Conv2dSpec spec) {
        if (!isUnstrided(spec)) {
            return "stride 1, got " + spec.strideH() + "×" + spec.strideW();
        }
        return paddingProblem(spec);
    }

    /** Why BLOCKED cannot compute {@code spec} (its backward-data pads dY by K − 1 − p), or null when it can. */
    private static String paddingProblem(Conv2dSpec spec) {
        if (Math.max(spec.padTop(), spec.padBottom()) >= spec.kernelH() || Math.max(spec.padLeft(), spec.padRight()) >= spec.kernelW()) {
            return "padding below the kernel size on every side, got top " + spec.padTop() + ", bottom " + spec.padBottom() + ", left "
                    + spec.padLeft() + ", right " + spec.padRight() + " for a " + spec.kernelH() + "×" + spec.kernelW() + " kernel";
        }
        return null;
    }

    /** The register tiles of a DIRECT plan's three passes, whether asked for or chosen by the cost model; null for other algorithms. */
    public DirectConvTiles directTiles() {
        return algorithm == Conv2dAlgorithm.DIRECT ? DirectConvTiling.tilesOf(forwardPass, backwardDataPass, weightsTile) : null;
    }

    /** The backward-weights GEMM for a batch of {@code batch} images (the same for every batch with im2col). */
    public GemmSpec backwardWeightsGemm(int batch) {
        return switch (algorithm) {
            case IM2COL -> backwardWeightsGemm;
            case DENSE -> GemmSpec.of(spec.elementType(), GemmForm.TN, batch, spec.patchSize(), false, false, spec.target());
            default -> throw new IllegalStateException("a " + algorithm + " convolution calls no GEMM");
        };
    }

    /** The GEMMs whose specs do not depend on the batch size: what the catalog compiles beside the convolution. */
    public List<GemmSpec> fixedGemms() {
        return switch (algorithm) {
            case IM2COL -> List.of(forwardGemm, backwardDataGemm, backwardWeightsGemm);
            case DENSE -> List.of(forwardGemm, backwardDataGemm);
            default -> List.of();
        };
    }
}
