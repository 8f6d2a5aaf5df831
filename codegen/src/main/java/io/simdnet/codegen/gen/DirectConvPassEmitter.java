package io.simdnet.codegen.gen;

import com.palantir.javapoet.ArrayTypeName;
import com.palantir.javapoet.ClassName;
import com.palantir.javapoet.CodeBlock;
import com.palantir.javapoet.FieldSpec;
import com.palantir.javapoet.MethodSpec;
import com.palantir.javapoet.TypeName;
import com.palantir.javapoet.TypeSpec;
import io.simdnet.codegen.plan.DirectConvPass;
import io.simdnet.kernel.DType;
import java.util.ArrayList;
import java.util.List;
import javax.lang.model.element.Modifier;

/**
 * Emits one {@link DirectConvPass} as a nested class of a direct convolution: its geometry as constants, the
 * copy of an image into the zero-padded buffer, the register-tile methods (one per output-channel count: the
 * full block and the partial last one), and the copy of the wide output rows back into NCHW. The forward pass and the backward-data pass are both this class.
 */
final class DirectConvPassEmitter {

    private final DirectConvPass pass;
    private final ArrayTypeName array;
    private final ClassName vector;
    private final boolean bias;
    private final boolean relu;

    DirectConvPassEmitter(DirectConvPass pass, DType type, boolean bias, boolean relu) {
        this.pass = pass;
        this.array = ArrayTypeName.of(type == DType.F32 ? TypeName.FLOAT : TypeName.DOUBLE);
        this.vector = KernelTypes.vector(type);
        this.bias = bias;
        this.relu = relu;
    }

    private int rest() {
        return pass.outChannels() % pass.outChannelBlock();
    }

    private int fullBlocks() {
        return pass.outChannels() / pass.outChannelBlock();
    }

    TypeSpec emit(String name, String doc) {
        TypeSpec.Builder type = TypeSpec.classBuilder(name)
                .addModifiers(Modifier.PRIVATE, Modifier.STATIC, Modifier.FINAL)
                .addJavadoc(doc + "\n")
                .addJavadoc("<p>Register tile: $L output channels × $L vectors of wide output positions.\n", pass.outChannelBlock(), pass.vectors())
                .addFields(constants())
                .addMethod(MethodSpec.constructorBuilder().addModifiers(Modifier.PRIVATE).build())
                .addMethod(pad())
                .addMethod(image())
                .addMethod(tile(pass.outChannelBlock()));
        if (rest() > 0) {
            type.addMethod(tile(rest()));
        }
        return type.addMethod(unpad()).build();
    }

    private List<FieldSpec> constants() {
        List<FieldSpec> f = new ArrayList<>();
        f.add(GeneratedClassParts.intConstant("CIN", pass.inChannels(), "Input channels."));
        f.add(GeneratedClassParts.intConstant("H", pass.height(), "Input height."));
        f.add(GeneratedClassParts.intConstant("W", pass.width(), "Input width."));
        f.add(GeneratedClassParts.intConstant("COUT", pass.outChannels(), "Output channels."));
        f.add(GeneratedClassParts.intConstant("KH", pass.kernelH(), "Kernel height."));
        f.add(GeneratedClassParts.intConstant("KW", pass.kernelW(), "Kernel width."));
        f.add(GeneratedClassParts.intConstant("TAPS", pass.kernelH() * pass.kernelW(), "Taps of the window: weights per (output, input) channel pair."));
        f.add(GeneratedClassParts.intConstant("PATCH", pass.inChannels() * pass.kernelH() * pass.kernelW(), "Weights per output channel."));
        if (pass.padTop() > 0) {
            f.add(GeneratedClassParts.intConstant("PT", pass.padTop(), "Zero rows above the input in the padded buffer."));
        }
        if (pass.padLeft() > 0) {
            f.add(GeneratedClassParts.intConstant("PL", pass.padLeft(), "Zero columns left of the input in the padded buffer."));
        }
        f.add(GeneratedClassParts.intConstant("PW", pass.paddedWidth(), "Width of a padded row, and of a wide output row."));
        f.add(GeneratedClassParts.intConstant("PLANE", pass.plane(), "Elements of one padded channel plane."));
        f.add(GeneratedClassParts.intConstant("OH", pass.outHeight(), "Output height."));
        f.add(GeneratedClassParts.intConstant("OW", pass.outWidth(), "Output width: the first OW positions of each wide row."));
        f.add(GeneratedClassParts.intConstant("LANES", pass.lanes(), "Elements of one vector."));
        f.add(GeneratedClassParts.intConstant("TILE", pass.tile(), "Wide output positions of one register tile."));
        f.add(GeneratedClassParts.intConstant("WIDE", pass.wideLength(), "Wide output positions computed per channel: whole tiles, OH·PW rounded up."));
        f.add(GeneratedClassParts.intConstant("PADDED_LENGTH", pass.paddedInputLength(), "Length of the padded input buffer: the planes, then what the last tile's loads reach."));
        f.add(GeneratedClassParts.intConstant("BLOCK", pass.outChannelBlock(), "Output channels of a full register tile."));
        f.add(GeneratedClassParts.intConstant("FULL_BLOCKS", fullBlocks(), "Full blocks of output channels."));
        return f;
    }

    /** Copies one image's rows into a padded buffer; its zero borders are never written, so they stay zero. */
    private MethodSpec pad() {
        String row = "(c * H + i) * W";
        String to = "at + c * PLANE + " + (pass.padTop() > 0 ? "(i + PT)" : "i") + " * PW" + (pass.padLeft() > 0 ? " + PL" : "");
        return MethodSpec.methodBuilder("pad")
                .addModifiers(Modifier.STATIC)
                .addJavadoc("Image {@code base} of {@code src} into the interior of the padded image at {@code at} of {@code padded}.\n")
                .addParameter(array, "src").addParameter(TypeName.INT, "base").addParameter(array, "padded").addParameter(TypeName.INT, "at")
                .beginControlFlow("for (int c = 0; c < CIN; c++)")
                .beginControlFlow("for (int i = 0; i < H; i++)")
                .addStatement("$T.arraycopy(src, base + $L, padded, $L, W)", System.class, row, to)
                .endControlFlow()
                .endControlFlow()
                .build();
    }

    private MethodSpec image() {
        MethodSpec.Builder m = MethodSpec.methodBuilder("image")
                .addModifiers(Modifier.STATIC)
                .addJavadoc("All output channels of one image into {@code wide} (COUT rows of WIDE): tile by tile, block by block.\n")
                .addParameter(array, "padded").addParameter(array, "w");
        if (bias) {
            m.addParameter(array, "bias");
        }
        String b = bias ? ", bias" : "";
        m.addParameter(array, "wide")
                .beginControlFlow("for (int q = 0; q < WIDE; q += TILE)")
                .beginControlFlow("for (int oc = 0; oc < FULL_BLOCKS * BLOCK; oc += BLOCK)")
                .addStatement("tile$L(padded, q, w$L, oc, wide)", pass.outChannelBlock(), b)
                .endControlFlow();
        if (rest() > 0) {
            m.addStatement("tile$L(padded, q, w$L, FULL_BLOCKS * BLOCK, wide)", rest(), b);
        }
        return m.endControlFlow().build();
    }

    private static String acc(int r, int v) {
        return "a" + r + "_" + v;
    }

    /** The register tile of {@code channels} output channels at wide positions q .. q + TILE. */
    private MethodSpec tile(int channels) {
        int vectors = pass.vectors();
        MethodSpec.Builder m = MethodSpec.methodBuilder("tile" + channels)
                .addModifiers(Modifier.PRIVATE, Modifier.STATIC)
                .addJavadoc("Output channels oc .. oc + $L at wide positions q .. q + TILE.\n", channels)
                .addParameter(array, "padded").addParameter(TypeName.INT, "q").addParameter(array, "w");
        if (bias) {
            m.addParameter(array, "bias");
        }
        m.addParameter(TypeName.INT, "oc").addParameter(array, "wide");
        CodeBlock.Builder body = CodeBlock.builder();
        for (int r = 0; r < channels; r++) {
            for (int v = 0; v < vectors; v++) {
                if (bias) {
                    body.addStatement("$T $L = $T.broadcast(S, bias[oc$L])", vector, acc(r, v), vector, GeneratedClassParts.plus(r));
                } else {
                    body.addStatement("$T $L = $T.zero(S)", vector, acc(r, v), vector);
                }
            }
        }
        // The taps are a loop, not unrolled with constant offsets: unrolled, C2 schedules the long block with
        // spills and the tile ran at 0.6-0.7x the rolled loop's speed (Zen 4, 3x3 and 5x5 windows).
        body.beginControlFlow("for (int c = 0; c < CIN; c++)")
                .beginControlFlow("for (int i = 0; i < KH; i++)")
                .beginControlFlow("for (int j = 0; j < KW; j++)")
                .addStatement("int xt = c * PLANE + q + i * PW + j")
                .addStatement("int wt = oc * PATCH + c * TAPS + i * KW + j");
        for (int v = 0; v < vectors; v++) {
            body.addStatement("$T x$L = $T.fromArray(S, padded, xt$L)", vector, v, vector, GeneratedClassParts.plusTerm(v, "LANES"));
        }
        for (int r = 0; r < channels; r++) {
            body.addStatement("$T w$L = $T.broadcast(S, w[wt$L])", vector, r, vector, GeneratedClassParts.plusTerm(r, "PATCH"));
            for (int v = 0; v < vectors; v++) {
                body.addStatement("$L = x$L.fma(w$L, $L)", acc(r, v), v, r, acc(r, v));
            }
        }
        body.endControlFlow().endControlFlow().endControlFlow();
        for (int r = 0; r < channels; r++) {
            for (int v = 0; v < vectors; v++) {
                body.addStatement("$L$L.intoArray(wide, (oc$L) * WIDE + q$L)", acc(r, v), relu ? ".max(0)" : "", GeneratedClassParts.plus(r), GeneratedClassParts.plusTerm(v, "LANES"));
            }
        }
        return m.addCode(body.build()).build();
    }

    /** Keeps the first OW positions of each wide row: the NCHW output. */
    private MethodSpec unpad() {
        return MethodSpec.methodBuilder("unpad")
                .addModifiers(Modifier.STATIC)
                .addJavadoc("The wide rows of one image's outputs into image {@code base} of {@code dst}, NCHW.\n")
                .addParameter(array, "wide").addParameter(array, "dst").addParameter(TypeName.INT, "base")
                .beginControlFlow("for (int oc = 0; oc < COUT; oc++)")
                .beginControlFlow("for (int i = 0; i < OH; i++)")
                .addStatement("$T.arraycopy(wide, oc * WIDE + i * PW, dst, base + (oc * OH + i) * OW, OW)", System.class)
                .endControlFlow()
                .endControlFlow()
                .build();
    }
}
