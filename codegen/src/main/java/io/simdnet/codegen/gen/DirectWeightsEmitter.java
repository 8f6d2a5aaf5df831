package io.simdnet.codegen.gen;

import com.palantir.javapoet.ArrayTypeName;
import com.palantir.javapoet.ClassName;
import com.palantir.javapoet.CodeBlock;
import com.palantir.javapoet.FieldSpec;
import com.palantir.javapoet.MethodSpec;
import com.palantir.javapoet.TypeName;
import com.palantir.javapoet.TypeSpec;
import io.simdnet.codegen.plan.DirectConvPass;
import io.simdnet.codegen.plan.DirectConvTiling;
import io.simdnet.kernel.DType;
import java.util.ArrayList;
import java.util.List;
import javax.lang.model.element.Modifier;

/**
 * Emits the backward-weights pass of a direct convolution as a nested class. dW[oc][c][tap] is the dot
 * product, over the images and their wide output positions, of dY's row oc (widened to PW per row, zero in
 * the discarded columns) with input plane c shifted by the tap's offset. A register tile holds the dW vectors
 * of {@code block} output channels × {@code taps} consecutive taps; it streams over every image of the batch,
 * in image order, and is summed across its lanes once, in lane order by scalar adds (the Vector API's
 * {@code reduceLanes} may add in another order once C2 has compiled it, and results would then depend on when
 * the JIT ran). The parallel units are (channel block, input channel) pairs, each owning its dW entries, so
 * the sums are the same on any number of threads and no per-image partials are reduced afterwards.
 *
 * <p>One method per (block size, tap group), so that every tap's offset is a constant.
 */
final class DirectWeightsEmitter {

    private final DirectConvPass pass;
    private final DirectConvTiling.WeightsTile tile;
    private final TypeName elem;
    private final ArrayTypeName array;
    private final ClassName vector;
    private final boolean bias;

    DirectWeightsEmitter(DirectConvPass forward, DirectConvTiling.WeightsTile tile, DType type, boolean bias) {
        this.pass = forward;
        this.tile = tile;
        this.elem = type == DType.F32 ? TypeName.FLOAT : TypeName.DOUBLE;
        this.array = ArrayTypeName.of(elem);
        this.vector = KernelTypes.vector(type);
        this.bias = bias;
    }

    private int window() {
        return pass.kernelH() * pass.kernelW();
    }

    private int rest() {
        return pass.outChannels() % tile.outChannelBlock();
    }

    private List<Integer> blockSizes() {
        return rest() > 0 ? List.of(tile.outChannelBlock(), rest()) : List.of(tile.outChannelBlock());
    }

    /** Positions of dY's widened rows: OH·PW rounded up to whole vectors. */
    private int positions() {
        return Math.ceilDiv(pass.widePositions(), pass.lanes()) * pass.lanes();
    }

    TypeSpec emit(String name) {
        TypeSpec.Builder type = TypeSpec.classBuilder(name)
                .addModifiers(Modifier.PRIVATE, Modifier.STATIC, Modifier.FINAL)
                .addJavadoc("Backward-weights: dW = Σ over the batch's wide positions of dY (widened) × the shifted padded input.\n")
                .addJavadoc("<p>Register tile: $L output channels × $L taps, one dW vector each; parallel units: (block, input channel).\n",
                        tile.outChannelBlock(), tile.taps())
                .addFields(constants())
                .addMethod(MethodSpec.constructorBuilder().addModifiers(Modifier.PRIVATE).build())
                .addMethod(widen())
                .addMethod(unit());
        for (int channels : blockSizes()) {
            for (int first = 0; first < window(); first += tile.taps()) {
                type.addMethod(group(channels, first, Math.min(tile.taps(), window() - first)));
            }
            if (bias) {
                type.addMethod(biasGroup(channels));
            }
        }
        return type.build();
    }

    private List<FieldSpec> constants() {
        List<FieldSpec> f = new ArrayList<>();
        f.add(GeneratedClassParts.intConstant("CIN", pass.inChannels(), "Input channels."));
        f.add(GeneratedClassParts.intConstant("COUT", pass.outChannels(), "Output channels."));
        f.add(GeneratedClassParts.intConstant("TAPS", window(), "Taps of the window."));
        f.add(GeneratedClassParts.intConstant("PATCH", pass.inChannels() * window(), "Weights per output channel."));
        f.add(GeneratedClassParts.intConstant("PW", pass.paddedWidth(), "Width of a padded input row and of a widened dY row."));
        f.add(GeneratedClassParts.intConstant("PLANE", pass.plane(), "Elements of one padded input plane."));
        f.add(GeneratedClassParts.intConstant("PADDED_LENGTH", pass.paddedInputLength(), "Elements of one image's padded input (as the forward pass pads it)."));
        f.add(GeneratedClassParts.intConstant("OH", pass.outHeight(), "Output height."));
        f.add(GeneratedClassParts.intConstant("OW", pass.outWidth(), "Output width."));
        f.add(GeneratedClassParts.intConstant("LANES", pass.lanes(), "Elements of one vector."));
        f.add(GeneratedClassParts.intConstant("POSITIONS", positions(), "Positions of a widened dY row: OH·PW rounded up to whole vectors."));
        f.add(GeneratedClassParts.intConstant("WIDE_IMAGE", pass.outChannels() * positions(), "Elements of one image's widened dY."));
        f.add(GeneratedClassParts.intConstant("BLOCK", tile.outChannelBlock(), "Output channels of a full register tile."));
        f.add(GeneratedClassParts.intConstant("BLOCKS", Math.ceilDiv(pass.outChannels(), tile.outChannelBlock()), "Blocks of output channels, the last one partial"
                + (rest() > 0 ? "." : " (none here).")));
        f.add(GeneratedClassParts.intConstant("UNITS", Math.ceilDiv(pass.outChannels(), tile.outChannelBlock()) * pass.inChannels(),
                "Parallel units: (block, input channel) pairs, each owning its dW entries."));
        f.add(GeneratedClassParts.intConstant("SUMS", tile.outChannelBlock() * tile.taps() * pass.lanes(), "Elements of the lane buffer: one tile's accumulators."));
        return f;
    }

    /** dY of one image into rows of PW; the columns past OW are never written, so they stay zero and add nothing. */
    private MethodSpec widen() {
        return MethodSpec.methodBuilder("widen")
                .addModifiers(Modifier.STATIC)
                .addJavadoc("Image {@code image} of {@code dy} into its COUT rows of POSITIONS in {@code wide}.\n")
                .addParameter(array, "dy").addParameter(TypeName.INT, "image").addParameter(array, "wide")
                .beginControlFlow("for (int oc = 0; oc < COUT; oc++)")
                .beginControlFlow("for (int i = 0; i < OH; i++)")
                .addStatement("$T.arraycopy(dy, ((image * COUT + oc) * OH + i) * OW, wide, image * WIDE_IMAGE + oc * POSITIONS + i * PW, OW)",
                        System.class)
                .endControlFlow()
                .endControlFlow()
                .build();
    }

    private static String method(int channels, int first) {
        return "channels" + channels + "Taps" + first;
    }

    private MethodSpec unit() {
        MethodSpec.Builder m = MethodSpec.methodBuilder("unit")
                .addModifiers(Modifier.STATIC)
                .addJavadoc("Unit {@code unit}'s dW entries$L, summed over the {@code n} images.\n", bias ? " (and, for input channel 0, its dB entries)" : "")
                .addParameter(TypeName.INT, "unit").addParameter(TypeName.INT, "n").addParameter(array, "padded").addParameter(array, "wide")
                .addParameter(array, "sums").addParameter(array, "dw");
        if (bias) {
            m.addParameter(array, "db");
        }
        m.addStatement("int oc = unit / CIN * BLOCK")
                .addStatement("int c = unit % CIN");
        if (rest() > 0) {
            m.beginControlFlow("if (oc + BLOCK > COUT)");
            calls(m, rest());
            m.addStatement("return").endControlFlow();
        }
        calls(m, tile.outChannelBlock());
        return m.build();
    }

    private void calls(MethodSpec.Builder m, int channels) {
        for (int first = 0; first < window(); first += tile.taps()) {
            m.addStatement("$L(n, padded, c, wide, oc, sums, dw)", method(channels, first));
        }
        if (bias) {
            m.beginControlFlow("if (c == 0)")
                    .addStatement("bias$L(n, wide, oc, sums, db)", channels)
                    .endControlFlow();
        }
    }

    private static String acc(int r, int t) {
        return "d" + r + "_" + t;
    }

    /** dW of output channels oc .. oc + channels, input channel c, taps first .. first + taps. */
    private MethodSpec group(int channels, int first, int taps) {
        CodeBlock.Builder body = CodeBlock.builder();
        for (int r = 0; r < channels; r++) {
            for (int t = 0; t < taps; t++) {
                body.addStatement("$T $L = $T.zero(S)", vector, acc(r, t), vector);
            }
        }
        body.beginControlFlow("for (int image = 0; image < n; image++)")
                .addStatement("int xc = image * PADDED_LENGTH + c * PLANE")
                .addStatement("int gc = image * WIDE_IMAGE + oc * POSITIONS")
                .beginControlFlow("for (int q = 0; q < POSITIONS; q += LANES)");
        for (int r = 0; r < channels; r++) {
            body.addStatement("$T g$L = $T.fromArray(S, wide, gc$L + q)", vector, r, vector, GeneratedClassParts.plusTerm(r, "POSITIONS"));
        }
        for (int t = 0; t < taps; t++) {
            int tap = first + t;
            int i = tap / pass.kernelW();
            int j = tap % pass.kernelW();
            String offset = GeneratedClassParts.plusTerm(i, "PW") + GeneratedClassParts.plus(j);
            body.addStatement("$T x$L = $T.fromArray(S, padded, xc + q$L)", vector, t, vector, offset);
            for (int r = 0; r < channels; r++) {
                body.addStatement("$L = g$L.fma(x$L, $L)", acc(r, t), r, t, acc(r, t));
            }
        }
        body.endControlFlow().endControlFlow();
        for (int r = 0; r < channels; r++) {
            for (int t = 0; t < taps; t++) {
                body.addStatement("$L.intoArray(sums, $L)", acc(r, t), GeneratedClassParts.term(r * taps + t, "LANES"));
            }
        }
        sumLanes(body, channels * taps, CodeBlock.of("dw[(oc + k / $L) * PATCH + c * TAPS + $L + k % $L]", taps, first, taps));
        return MethodSpec.methodBuilder(method(channels, first))
                .addModifiers(Modifier.PRIVATE, Modifier.STATIC)
                .addJavadoc("Output channels oc .. oc + $L, input channel c, taps $L .. $L (row-major in the window).\n", channels, first, first + taps - 1)
                .addParameter(TypeName.INT, "n").addParameter(array, "padded").addParameter(TypeName.INT, "c").addParameter(array, "wide")
                .addParameter(TypeName.INT, "oc").addParameter(array, "sums").addParameter(array, "dw")
                .addCode(body.build())
                .build();
    }

    /**
     * Sums each of the first {@code count} accumulators stored in {@code sums} across its lanes, in lane order,
     * into {@code target} (an element indexed by the accumulator's number {@code k}).
     */
    private void sumLanes(CodeBlock.Builder body, int count, CodeBlock target) {
        body.beginControlFlow("for (int k = 0; k < $L; k++)", count)
                .addStatement("$T sum = 0", elem)
                .beginControlFlow("for (int l = 0; l < LANES; l++)")
                .addStatement("sum += sums[k * LANES + l]")
                .endControlFlow()
                .addStatement("$L = sum", target)
                .endControlFlow();
    }

    /** dB of output channels oc .. oc + channels: the sums of their widened dY rows (zero in the discarded columns). */
    private MethodSpec biasGroup(int channels) {
        CodeBlock.Builder body = CodeBlock.builder();
        for (int r = 0; r < channels; r++) {
            body.addStatement("$T s$L = $T.zero(S)", vector, r, vector);
        }
        body.beginControlFlow("for (int image = 0; image < n; image++)")
                .addStatement("int gc = image * WIDE_IMAGE + oc * POSITIONS")
                .beginControlFlow("for (int q = 0; q < POSITIONS; q += LANES)");
        for (int r = 0; r < channels; r++) {
            // The loaded vector is the receiver: its class is exact, so C2 inlines add; on the loop-carried sum
            // it may see only FloatVector, call lanewise virtually and box every vector.
            body.addStatement("s$L = $T.fromArray(S, wide, gc$L + q).add(s$L)", r, vector, GeneratedClassParts.plusTerm(r, "POSITIONS"), r);
        }
        body.endControlFlow().endControlFlow();
        for (int r = 0; r < channels; r++) {
            body.addStatement("s$L.intoArray(sums, $L)", r, GeneratedClassParts.term(r, "LANES"));
        }
        sumLanes(body, channels, CodeBlock.of("db[oc + k]"));
        return MethodSpec.methodBuilder("bias" + channels)
                .addModifiers(Modifier.PRIVATE, Modifier.STATIC)
                .addJavadoc("dB of output channels oc .. oc + $L, summed over the batch.\n", channels)
                .addParameter(TypeName.INT, "n").addParameter(array, "wide").addParameter(TypeName.INT, "oc").addParameter(array, "sums")
                .addParameter(array, "db")
                .addCode(body.build())
                .build();
    }
}
