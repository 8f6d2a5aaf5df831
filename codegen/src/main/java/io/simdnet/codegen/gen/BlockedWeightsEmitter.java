package io.simdnet.codegen.gen;

import com.palantir.javapoet.ArrayTypeName;
import com.palantir.javapoet.ClassName;
import com.palantir.javapoet.CodeBlock;
import com.palantir.javapoet.FieldSpec;
import com.palantir.javapoet.MethodSpec;
import com.palantir.javapoet.TypeName;
import com.palantir.javapoet.TypeSpec;
import io.simdnet.codegen.plan.BlockedConvPass;
import io.simdnet.codegen.plan.BlockedWeightsTile;
import io.simdnet.kernel.DType;
import java.util.ArrayList;
import java.util.List;
import javax.lang.model.element.Modifier;

/**
 * Emits the backward-weights pass of a blocked convolution as a nested class: work units of (a tile of output
 * channels, an input block, a kernel row, a run of taps), each summing its dW vectors over every output position
 * of the batch (the input read from the whole batch in the forward pass's blocked layout, dY as NCHW) and writing
 * them; with a bias, a phase of its own sums dY per output channel (beside dW's units its cheap units would unbalance
 * the tasks). Each unit owns the gradients it writes and adds in
 * one fixed order, so the result does not depend on how units are dealt to threads.
 */
final class BlockedWeightsEmitter {

    private final BlockedConvPass forward;
    private final BlockedWeightsTile tile;
    private final ArrayTypeName array;
    private final ClassName vector;
    private final boolean bias;

    BlockedWeightsEmitter(BlockedConvPass forward, BlockedWeightsTile tile, DType type, boolean bias) {
        this.forward = forward;
        this.tile = tile;
        this.array = ArrayTypeName.of(type == DType.F32 ? TypeName.FLOAT : TypeName.DOUBLE);
        this.vector = KernelTypes.vector(type);
        this.bias = bias;
    }

    TypeSpec emit(String name) {
        TypeSpec.Builder type = TypeSpec.classBuilder(name)
                .addModifiers(Modifier.PRIVATE, Modifier.STATIC, Modifier.FINAL)
                .addJavadoc("Backward-weights: dW (and dB) summed over the batch, a work unit at a time.\n")
                .addJavadoc("<p>Register tile: $L output channels × $L taps of $L input channels.\n", tile.channels(), tile.taps(), forward.lanes())
                .addFields(constants())
                .addMethod(MethodSpec.constructorBuilder().addModifiers(Modifier.PRIVATE).build())
                .addMethod(unit());
        for (int channels : BlockedConvPassEmitter.counts(forward.outChannels(), tile.channels())) {
            for (int taps : BlockedConvPassEmitter.counts(forward.kernelW(), tile.taps())) {
                type.addMethod(tileMethod(channels, taps));
            }
        }
        type.addMethod(scatter());
        if (bias) {
            type.addMethod(biasSum());
        }
        return type.build();
    }

    private List<FieldSpec> constants() {
        int runs = Math.ceilDiv(forward.kernelW(), tile.taps());
        int groups = Math.ceilDiv(forward.outChannels(), tile.channels());
        int weightUnits = groups * forward.inBlocks() * forward.kernelH() * runs;
        List<FieldSpec> f = new ArrayList<>();
        f.add(GeneratedClassParts.intConstant("CHANNELS", tile.channels(), "Output channels of a full tile."));
        f.add(GeneratedClassParts.intConstant("TAPS", tile.taps(), "Taps of a kernel row in a full tile."));
        f.add(GeneratedClassParts.intConstant("RUNS", runs, "Runs of taps per kernel row."));
        f.add(GeneratedClassParts.intConstant("UNITS", weightUnits, "Work units of dW: channel tiles × input blocks × kernel rows × runs."));
        f.add(GeneratedClassParts.intConstant("IMAGE_OUT", forward.outChannels() * forward.outPositions(), "Elements of one image's dY."));
        f.add(GeneratedClassParts.intConstant("SUMS", tile.channels() * tile.taps() * forward.lanes(), "A task's buffer for a tile's accumulators."));
        return f;
    }

    private MethodSpec unit() {
        MethodSpec.Builder m = MethodSpec.methodBuilder("unit")
                .addModifiers(Modifier.STATIC)
                .addJavadoc("Work unit {@code unit} over images 0 .. n of the blocked inputs {@code x} and the output gradient {@code dy}.\n")
                .addParameter(TypeName.INT, "unit").addParameter(TypeName.INT, "n").addParameter(array, "x").addParameter(array, "dy")
                .addParameter(array, "sums").addParameter(array, "dW");
        m.addStatement("int run = unit % RUNS")
                .addStatement("int i = unit / RUNS % Forward.KH")
                .addStatement("int cb = unit / RUNS / Forward.KH % Forward.CB")
                .addStatement("int oc = unit / RUNS / Forward.KH / Forward.CB * CHANNELS")
                .addStatement("int j = run * TAPS");
        List<Integer> channelCounts = BlockedConvPassEmitter.counts(forward.outChannels(), tile.channels());
        CodeBlock.Builder dispatch = CodeBlock.builder();
        if (channelCounts.size() == 1) {
            dispatch.add(dispatchTaps(channelCounts.getFirst()));
        } else {
            dispatch.beginControlFlow("if (oc + CHANNELS <= Forward.COUT)").add(dispatchTaps(channelCounts.get(0)))
                    .nextControlFlow("else").add(dispatchTaps(channelCounts.get(1))).endControlFlow();
        }
        return m.addCode(dispatch.build()).build();
    }

    /** The call of the tile of {@code channels} channels for the unit's run of taps: the full run, or the partial last one. */
    private CodeBlock dispatchTaps(int channels) {
        List<Integer> tapCounts = BlockedConvPassEmitter.counts(forward.kernelW(), tile.taps());
        String call = "$L(n, x, dy, oc, cb, i, j, sums, dW)";
        if (tapCounts.size() == 1) {
            return CodeBlock.builder().addStatement(call, tileName(channels, tapCounts.getFirst())).build();
        }
        return CodeBlock.builder().beginControlFlow("if (j + TAPS <= Forward.KW)").addStatement(call, tileName(channels, tapCounts.get(0)))
                .nextControlFlow("else").addStatement(call, tileName(channels, tapCounts.get(1))).endControlFlow().build();
    }

    private static String tileName(int channels, int taps) {
        return "tile" + channels + "x" + taps;
    }

    private static String acc(int channel, int tap) {
        return "a" + channel + "_" + tap;
    }

    private MethodSpec tileMethod(int channels, int taps) {
        MethodSpec.Builder m = MethodSpec.methodBuilder(tileName(channels, taps))
                .addModifiers(Modifier.PRIVATE, Modifier.STATIC)
                .addJavadoc("dW of output channels oc .. oc + $L, input block cb, kernel row i, taps j .. j + $L, summed over the batch.\n", channels, taps)
                .addParameter(TypeName.INT, "n").addParameter(array, "x").addParameter(array, "dy").addParameter(TypeName.INT, "oc")
                .addParameter(TypeName.INT, "cb").addParameter(TypeName.INT, "i").addParameter(TypeName.INT, "j").addParameter(array, "sums")
                .addParameter(array, "dW");
        CodeBlock.Builder body = CodeBlock.builder();
        for (int c = 0; c < channels; c++) {
            for (int t = 0; t < taps; t++) {
                body.addStatement("$T $L = $T.zero(S)", vector, acc(c, t), vector);
            }
        }
        body.beginControlFlow("for (int image = 0; image < n; image++)")
                .addStatement("int xn = image * Forward.BLOCKED_IN + cb * Forward.XCB + i * Forward.XROW + j * Forward.V")
                .addStatement("int yn = image * IMAGE_OUT + oc * Forward.POSITIONS")
                .beginControlFlow("for (int oh = 0; oh < Forward.OH; oh++)")
                .addStatement("int xr = xn + oh * Forward.$L", forward.strideH() > 1 ? "XROW_STEP" : "XROW")
                .addStatement("int yr = yn + oh * Forward.OW")
                .beginControlFlow("for (int ow = 0; ow < Forward.OW; ow++)")
                .addStatement("int xi = xr + ow * Forward.$L", forward.strideW() > 1 ? "XCOLUMN_STEP" : "V");
        for (int t = 0; t < taps; t++) {
            body.addStatement("$T x$L = $T.fromArray(S, x, xi$L)", vector, t, vector, GeneratedClassParts.plusTerm(t, "Forward.V"));
        }
        for (int c = 0; c < channels; c++) {
            body.addStatement("$T g$L = $T.broadcast(S, dy[yr + ow$L])", vector, c, vector, GeneratedClassParts.plusTerm(c, "Forward.POSITIONS"));
            for (int t = 0; t < taps; t++) {
                body.addStatement("$L = g$L.fma(x$L, $L)", acc(c, t), c, t, acc(c, t));
            }
        }
        body.endControlFlow().endControlFlow().endControlFlow();
        for (int c = 0; c < channels; c++) {
            for (int t = 0; t < taps; t++) {
                body.addStatement("$L.intoArray(sums, $L)", acc(c, t), (c * taps + t) == 0 ? "0" : (c * taps + t) + " * Forward.V");
            }
        }
        body.addStatement("scatter(sums, $L, $L, dW, oc, cb, i, j)", channels, taps);
        return m.addCode(body.build()).build();
    }

    /** A tile's sums, channel by tap by input lane, into dW (OC, C, KH, KW); the lanes past C are dropped. */
    private MethodSpec scatter() {
        String lanes = forward.inChannels() % forward.lanes() == 0 ? "Forward.V" : "Math.min(Forward.V, Forward.CIN - cb * Forward.V)";
        return MethodSpec.methodBuilder("scatter")
                .addModifiers(Modifier.PRIVATE, Modifier.STATIC)
                .addJavadoc("The sums of a tile of {@code channels} output channels × {@code taps} taps into dW.\n")
                .addParameter(array, "sums").addParameter(TypeName.INT, "channels").addParameter(TypeName.INT, "taps").addParameter(array, "dW")
                .addParameter(TypeName.INT, "oc").addParameter(TypeName.INT, "cb").addParameter(TypeName.INT, "i").addParameter(TypeName.INT, "j")
                .addStatement("int lanes = $L", lanes)
                .beginControlFlow("for (int c = 0; c < channels; c++)")
                .beginControlFlow("for (int t = 0; t < taps; t++)")
                .beginControlFlow("for (int lane = 0; lane < lanes; lane++)")
                .addStatement("dW[(((oc + c) * Forward.CIN + cb * Forward.V + lane) * Forward.KH + i) * Forward.KW + j + t] = sums[(c * taps + t) * Forward.V + lane]")
                .endControlFlow()
                .endControlFlow()
                .endControlFlow()
                .build();
    }

    /**
     * dB of one output channel: its dY summed over the batch by scalar adds, image by image and position by position.
     * A vector accumulator here once allocated on every call for the rest of a run (a test JVM where C2 left it
     * boxed), and the sum is a small share of the pass.
     */
    private MethodSpec biasSum() {
        return MethodSpec.methodBuilder("biasSum")
                .addModifiers(Modifier.STATIC)
                .addJavadoc("dB[oc]: the sum of channel oc of dY over images 0 .. n; a unit of its own phase, as cheap as every other.\n")
                .addParameter(TypeName.INT, "oc").addParameter(TypeName.INT, "n").addParameter(array, "dy").addParameter(array, "dB")
                .addStatement("$T total = 0", array.componentType())
                .beginControlFlow("for (int image = 0; image < n; image++)")
                .addStatement("int at = image * IMAGE_OUT + oc * Forward.POSITIONS")
                .beginControlFlow("for (int p = 0; p < Forward.POSITIONS; p++)")
                .addStatement("total += dy[at + p]")
                .endControlFlow()
                .endControlFlow()
                .addStatement("dB[oc] = total")
                .build();
    }
}
