package io.simdnet.kernel.spec;

import io.simdnet.kernel.DType;

/**
 * One 2-D pooling geometry over NCHW activations; the batch size N is a run-time argument.
 *
 * <ul>
 *   <li>{@code MAX}: padding counts as −∞. Backward routes each gradient to the arg-max of its window; ties go
 *       to the first maximum in row-major order of the window, and a NaN, once met, is the maximum.
 *   <li>{@code AVG}: padding counts as zeros and every window divides by kernelH·kernelW (PyTorch's default,
 *       {@code count_include_pad=True}). Global average pooling is the window covering the whole image.
 * </ul>
 * Windows may overlap (3×3 stride 2). Output size: {@code floor((I + 2P − K) / S) + 1}.
 *
 * <p>String form: {@code pool2d f32 max c=6 h=28 w=28 kh=2 kw=2 sh=2 sw=2 ph=0 pw=0 bits=512 regs=32}; the
 * {@link VectorTarget} ({@code bits}, {@code regs}) defaults to the host's.
 */
public record Pool2dSpec(DType elementType, Kind kind, int channels, int height, int width, int kernelH, int kernelW,
        int strideH, int strideW, int padH, int padW, VectorTarget target) implements KernelSpec {

    public enum Kind {
        MAX,
        AVG
    }

    public Pool2dSpec {
        if (elementType == null || kind == null || target == null) {
            throw new IllegalArgumentException("Pool2d spec: element type, kind and vector target are required");
        }
        if (channels <= 0 || height <= 0 || width <= 0 || kernelH <= 0 || kernelW <= 0 || strideH <= 0 || strideW <= 0) {
            throw new IllegalArgumentException("Pool2d spec: sizes, kernel and stride must be positive, got input " + channels + "×" + height
                    + "×" + width + ", kernel " + kernelH + "×" + kernelW + ", stride " + strideH + "×" + strideW);
        }
        if (padH < 0 || padW < 0 || 2 * padH > kernelH || 2 * padW > kernelW) {
            throw new IllegalArgumentException("Pool2d spec: padding " + padH + "×" + padW + " must be between 0 and half the kernel "
                    + kernelH + "×" + kernelW);
        }
        if (height + 2 * padH < kernelH || width + 2 * padW < kernelW) {
            throw new IllegalArgumentException("Pool2d: input " + height + "×" + width + " with padding " + padH + "×" + padW + ", kernel "
                    + kernelH + "×" + kernelW + ", stride " + strideH + "×" + strideW + " gives an empty output");
        }
    }

    /** A spec for the host's vector target. */
    public Pool2dSpec(DType elementType, Kind kind, int channels, int height, int width, int kernelH, int kernelW, int strideH, int strideW,
            int padH, int padW) {
        this(elementType, kind, channels, height, width, kernelH, kernelW, strideH, strideW, padH, padW, VectorTarget.host());
    }

    /** The same pooling for another vector target. */
    public Pool2dSpec withTarget(VectorTarget newTarget) {
        return new Pool2dSpec(elementType, kind, channels, height, width, kernelH, kernelW, strideH, strideW, padH, padW, newTarget);
    }

    public static Pool2dSpec max(DType type, int channels, int height, int width, int kernel, int stride, int pad) {
        return new Pool2dSpec(type, Kind.MAX, channels, height, width, kernel, kernel, stride, stride, pad, pad);
    }

    public static Pool2dSpec average(DType type, int channels, int height, int width, int kernel, int stride, int pad) {
        return new Pool2dSpec(type, Kind.AVG, channels, height, width, kernel, kernel, stride, stride, pad, pad);
    }

    /** Global average pooling: one output per channel. */
    public static Pool2dSpec globalAverage(DType type, int channels, int height, int width) {
        return new Pool2dSpec(type, Kind.AVG, channels, height, width, height, width, 1, 1, 0, 0);
    }

    public int outHeight() {
        return (height + 2 * padH - kernelH) / strideH + 1;
    }

    public int outWidth() {
        return (width + 2 * padW - kernelW) / strideW + 1;
    }

    @Override
    public String key() {
        return "pool2d " + elementType.token() + " " + kind.name().toLowerCase(java.util.Locale.ROOT) + " c=" + channels + " h=" + height
                + " w=" + width + " kh=" + kernelH + " kw=" + kernelW + " sh=" + strideH + " sw=" + strideW + " ph=" + padH + " pw=" + padW + " " + target.key();
    }

    @Override
    public String className() {
        return (kind == Kind.MAX ? "MaxPool" : "AvgPool") + (elementType == DType.F32 ? "F32" : "F64") + "C" + channels + "H" + height
                + "W" + width + "K" + kernelH + "x" + kernelW + "S" + strideH + "x" + strideW + "P" + padH + "x" + padW + "_" + target.classNameSuffix();
    }

    /** Parses the string form; {@code k=}, {@code s=} and {@code pad=} set both directions, {@code global} the whole image. */
    public static Pool2dSpec parse(String text) {
        String[] words = text.strip().split("\\s+");
        if (words.length < 3 || !words[0].equals("pool2d")) {
            throw new IllegalArgumentException("Pool2d spec '" + text + "': expected 'pool2d <f32|f64> <max|avg> c=.. h=.. w=.. k=.. [s=..] [pad=..]'");
        }
        DType type = DType.fromToken(words[1]);
        Kind kind = switch (words[2]) {
            case "max" -> Kind.MAX;
            case "avg" -> Kind.AVG;
            default -> throw new IllegalArgumentException("Pool2d spec '" + text + "': kind '" + words[2] + "', expected max or avg");
        };
        SpecOptions o = SpecOptions.of("Pool2d", text, words, 3);
        int c = o.integer("c", null);
        int h = o.integer("h", null);
        int w = o.integer("w", null);
        boolean global = o.bool("global", false);
        int k = o.integer("k", global ? 0 : 1);
        int kh = o.integer("kh", global ? h : k);
        int kw = o.integer("kw", global ? w : k);
        int s = o.integer("s", global ? 1 : Math.max(1, k));
        int sh = o.integer("sh", s);
        int sw = o.integer("sw", s);
        int pad = o.integer("pad", 0);
        int ph = o.integer("ph", pad);
        int pw = o.integer("pw", pad);
        VectorTarget target = VectorTarget.parse(o);
        o.requireAllUsed("c h w k kh kw s sh sw pad ph pw global bits regs");
        return new Pool2dSpec(type, kind, c, h, w, kh, kw, sh, sw, ph, pw, target);
    }
}
