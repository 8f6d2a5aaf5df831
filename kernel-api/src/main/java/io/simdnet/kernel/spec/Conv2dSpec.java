package io.simdnet.kernel.spec;

import io.simdnet.kernel.DType;

/**
 * One 2-D convolution layer geometry, NCHW, weights (outChannels, inChannels, kernelH, kernelW) as in PyTorch;
 * groups = 1. The batch size N is a run-time argument. One spec gives three kernels: forward (with bias when
 * {@code bias}, then ReLU when {@code relu}), backward-data (dX) and backward-weights (dW, and dB with a bias).
 *
 * <p>Padding is per side (top, bottom, left, right). {@link #same} follows Keras/TensorFlow: the total
 * padding is {@code max((ceil(I/S) - 1)·S + K - I, 0)}, and when it is odd the extra row or column goes to
 * the bottom or right. The output size is {@code floor((I + padBefore + padAfter - K) / S) + 1}.
 *
 * <p>String form: {@code conv2d f32 c=3 h=32 w=32 oc=32 kh=3 kw=3 sh=1 sw=1 pt=1 pb=1 pl=1 pr=1 bias=true relu=false bits=512 regs=32};
 * the {@link VectorTarget} ({@code bits}, {@code regs}) defaults to the host's, and the GEMMs of the plan share it;
 * {@code algo=im2col|dense|direct} asks for one {@link Conv2dAlgorithm} (not written when AUTO, the default), and
 * {@code tiles=8x2/4x3/4x3} for a DIRECT convolution's register tiles ({@link DirectConvTiles}; not written when null,
 * the cost model's).
 */
public record Conv2dSpec(DType elementType, int inChannels, int height, int width, int outChannels, int kernelH, int kernelW,
        int strideH, int strideW, int padTop, int padBottom, int padLeft, int padRight, boolean bias, boolean relu, VectorTarget target,
        Conv2dAlgorithm algorithm, DirectConvTiles tiles) implements KernelSpec {

    public Conv2dSpec {
        if (elementType == null || target == null || algorithm == null) {
            throw new IllegalArgumentException("Conv2d spec: element type, vector target and algorithm are required");
        }
        if (tiles != null && algorithm != Conv2dAlgorithm.DIRECT) {
            throw new IllegalArgumentException("Conv2d spec: tiles=" + tiles.token() + " needs algo=direct, got algo=" + algorithm.token());
        }
        positive("input channels", inChannels);
        positive("input height", height);
        positive("input width", width);
        positive("output channels", outChannels);
        positive("kernel height", kernelH);
        positive("kernel width", kernelW);
        positive("stride height", strideH);
        positive("stride width", strideW);
        if (padTop < 0 || padBottom < 0 || padLeft < 0 || padRight < 0) {
            throw new IllegalArgumentException("Conv2d spec: padding must be >= 0, got top " + padTop + ", bottom " + padBottom
                    + ", left " + padLeft + ", right " + padRight);
        }
        if (height + padTop + padBottom < kernelH || width + padLeft + padRight < kernelW) {
            throw new IllegalArgumentException("Conv2d: input " + height + "×" + width + " with padding (top " + padTop + ", bottom "
                    + padBottom + ", left " + padLeft + ", right " + padRight + "), kernel " + kernelH + "×" + kernelW + ", stride "
                    + strideH + "×" + strideW + " gives an empty output");
        }
    }

    /** A spec for the host's vector target. */
    public Conv2dSpec(DType elementType, int inChannels, int height, int width, int outChannels, int kernelH, int kernelW, int strideH,
            int strideW, int padTop, int padBottom, int padLeft, int padRight, boolean bias, boolean relu) {
        this(elementType, inChannels, height, width, outChannels, kernelH, kernelW, strideH, strideW, padTop, padBottom, padLeft, padRight, bias,
                relu, VectorTarget.host(), Conv2dAlgorithm.AUTO, null);
    }

    /** A spec for {@code target}, its algorithm chosen by the plan's rule. */
    public Conv2dSpec(DType elementType, int inChannels, int height, int width, int outChannels, int kernelH, int kernelW, int strideH,
            int strideW, int padTop, int padBottom, int padLeft, int padRight, boolean bias, boolean relu, VectorTarget target) {
        this(elementType, inChannels, height, width, outChannels, kernelH, kernelW, strideH, strideW, padTop, padBottom, padLeft, padRight, bias,
                relu, target, Conv2dAlgorithm.AUTO, null);
    }

    /** The same convolution for another vector target. */
    public Conv2dSpec withTarget(VectorTarget newTarget) {
        return new Conv2dSpec(elementType, inChannels, height, width, outChannels, kernelH, kernelW, strideH, strideW, padTop, padBottom, padLeft,
                padRight, bias, relu, newTarget, algorithm, tiles);
    }

    /** The same convolution computed by {@code newAlgorithm} ({@link Conv2dAlgorithm#AUTO}: by the plan's rule), with the model's tiles. */
    public Conv2dSpec withAlgorithm(Conv2dAlgorithm newAlgorithm) {
        return new Conv2dSpec(elementType, inChannels, height, width, outChannels, kernelH, kernelW, strideH, strideW, padTop, padBottom, padLeft,
                padRight, bias, relu, target, newAlgorithm, null);
    }

    /** The same convolution computed directly with {@code newTiles} (null: the cost model's). */
    public Conv2dSpec withTiles(DirectConvTiles newTiles) {
        return new Conv2dSpec(elementType, inChannels, height, width, outChannels, kernelH, kernelW, strideH, strideW, padTop, padBottom, padLeft,
                padRight, bias, relu, target, Conv2dAlgorithm.DIRECT, newTiles);
    }

    /** The same convolution with the algorithm left to the plan's rule and no tiles asked for: what layers ask the registry for. */
    public Conv2dSpec canonical() {
        return algorithm == Conv2dAlgorithm.AUTO ? this : withAlgorithm(Conv2dAlgorithm.AUTO);
    }

    private static void positive(String what, int value) {
        if (value <= 0) {
            throw new IllegalArgumentException("Conv2d spec: " + what + " must be positive, got " + value);
        }
    }

    /** Symmetric padding, PyTorch style. */
    public static Conv2dSpec of(DType type, int inChannels, int height, int width, int outChannels, int kernelH, int kernelW,
            int stride, int padding, boolean bias, boolean relu) {
        return new Conv2dSpec(type, inChannels, height, width, outChannels, kernelH, kernelW, stride, stride, padding, padding, padding,
                padding, bias, relu);
    }

    /** Keras {@code padding="same"}: see the class comment for how an odd total is split. */
    public static Conv2dSpec same(DType type, int inChannels, int height, int width, int outChannels, int kernelH, int kernelW,
            int stride, boolean bias, boolean relu) {
        return same(type, inChannels, height, width, outChannels, kernelH, kernelW, stride, bias, relu, VectorTarget.host());
    }

    /** Keras {@code padding="same"} for {@code target}. */
    public static Conv2dSpec same(DType type, int inChannels, int height, int width, int outChannels, int kernelH, int kernelW,
            int stride, boolean bias, boolean relu, VectorTarget target) {
        int padH = samePadding(height, kernelH, stride);
        int padW = samePadding(width, kernelW, stride);
        return new Conv2dSpec(type, inChannels, height, width, outChannels, kernelH, kernelW, stride, stride, padH / 2, padH - padH / 2,
                padW / 2, padW - padW / 2, bias, relu, target);
    }

    /** Keras {@code padding="valid"}: no padding. */
    public static Conv2dSpec valid(DType type, int inChannels, int height, int width, int outChannels, int kernelH, int kernelW,
            int stride, boolean bias, boolean relu) {
        return of(type, inChannels, height, width, outChannels, kernelH, kernelW, stride, 0, bias, relu);
    }

    private static int samePadding(int size, int kernel, int stride) {
        int out = Math.ceilDiv(size, stride);
        return Math.max((out - 1) * stride + kernel - size, 0);
    }

    public int outHeight() {
        return (height + padTop + padBottom - kernelH) / strideH + 1;
    }

    public int outWidth() {
        return (width + padLeft + padRight - kernelW) / strideW + 1;
    }

    /** Rows of the im2col matrix, and columns of the weights seen as an outChannels × patch matrix. */
    public int patchSize() {
        return inChannels * kernelH * kernelW;
    }

    /** FLOPs of the forward pass for one image (2 per multiply-add). */
    public long forwardFlopsPerImage() {
        return 2L * outChannels * patchSize() * outHeight() * outWidth();
    }

    @Override
    public String key() {
        return "conv2d " + elementType.token() + " c=" + inChannels + " h=" + height + " w=" + width + " oc=" + outChannels
                + " kh=" + kernelH + " kw=" + kernelW + " sh=" + strideH + " sw=" + strideW
                + " pt=" + padTop + " pb=" + padBottom + " pl=" + padLeft + " pr=" + padRight + " bias=" + bias + " relu=" + relu + " " + target.key()
                + (algorithm == Conv2dAlgorithm.AUTO ? "" : " algo=" + algorithm.token()) + (tiles == null ? "" : " tiles=" + tiles.token());
    }

    @Override
    public String className() {
        return "Conv2d" + (elementType == DType.F32 ? "F32" : "F64") + "C" + inChannels + "H" + height + "W" + width
                + "Oc" + outChannels + "K" + kernelH + "x" + kernelW + "S" + strideH + "x" + strideW
                + "P" + padTop + "_" + padBottom + "_" + padLeft + "_" + padRight + (bias ? "Bias" : "") + (relu ? "Relu" : "")
                + (algorithm == Conv2dAlgorithm.AUTO ? "" : algorithmWord()) + (tiles == null ? "" : tiles.classNamePart()) + "_"
                + target.classNameSuffix();
    }

    private String algorithmWord() {
        String token = algorithm.token();
        return Character.toUpperCase(token.charAt(0)) + token.substring(1);
    }

    /** Parses the string form; {@code pad=P} sets all four sides and {@code padding=same|valid} the Keras modes. */
    public static Conv2dSpec parse(String text) {
        String[] words = text.strip().split("\\s+");
        if (words.length < 2 || !words[0].equals("conv2d")) {
            throw new IllegalArgumentException("Conv2d spec '" + text + "': expected 'conv2d <f32|f64> c=.. h=.. w=.. oc=.. kh=.. kw=.. [key=value ...]'");
        }
        DType type = DType.fromToken(words[1]);
        SpecOptions o = SpecOptions.of("Conv2d", text, words, 2);
        int c = o.integer("c", null);
        int h = o.integer("h", null);
        int w = o.integer("w", null);
        int oc = o.integer("oc", null);
        int kh = o.integer("kh", null);
        int kw = o.integer("kw", null);
        int sh = o.integer("sh", 1);
        int sw = o.integer("sw", sh);
        boolean bias = o.bool("bias", true);
        boolean relu = o.bool("relu", false);
        String mode = o.string("padding", "explicit");
        VectorTarget target = VectorTarget.parse(o);
        Conv2dAlgorithm algorithm = Conv2dAlgorithm.fromToken(o.string("algo", "auto"));
        Conv2dSpec spec;
        switch (mode) {
            case "same" -> {
                if (sh != sw) {
                    throw new IllegalArgumentException("Conv2d spec '" + text + "': padding=same needs equal strides");
                }
                spec = same(type, c, h, w, oc, kh, kw, sh, bias, relu, target);
            }
            case "valid" -> spec = new Conv2dSpec(type, c, h, w, oc, kh, kw, sh, sw, 0, 0, 0, 0, bias, relu, target);
            case "explicit" -> {
                int pad = o.integer("pad", 0);
                spec = new Conv2dSpec(type, c, h, w, oc, kh, kw, sh, sw, o.integer("pt", pad), o.integer("pb", pad), o.integer("pl", pad),
                        o.integer("pr", pad), bias, relu, target);
            }
            default -> throw new IllegalArgumentException("Conv2d spec '" + text + "': padding='" + mode + "', expected same or valid");
        }
        String tiles = o.string("tiles", "");
        o.requireAllUsed("c h w oc kh kw sh sw pad pt pb pl pr padding bias relu bits regs algo tiles");
        if (!tiles.isEmpty()) {
            if (algorithm != Conv2dAlgorithm.DIRECT) {
                throw new IllegalArgumentException("Conv2d spec '" + text + "': tiles=" + tiles + " needs algo=direct");
            }
            return spec.withTiles(DirectConvTiles.parse(tiles));
        }
        return spec.withAlgorithm(algorithm);
    }
}
