package io.simdnet.codegen.gen;

import com.palantir.javapoet.ArrayTypeName;
import com.palantir.javapoet.ClassName;
import com.palantir.javapoet.CodeBlock;
import com.palantir.javapoet.FieldSpec;
import com.palantir.javapoet.JavaFile;
import com.palantir.javapoet.MethodSpec;
import com.palantir.javapoet.ParameterizedTypeName;
import com.palantir.javapoet.TypeName;
import com.palantir.javapoet.TypeSpec;
import io.simdnet.kernel.DType;
import io.simdnet.kernel.spec.Pool2dSpec;
import javax.lang.model.element.Modifier;

/**
 * Turns a {@link Pool2dSpec} into one class whose window loops have every size as a constant, so the JIT
 * unrolls them. Planes (image, channel) are dealt to parallel tasks; a plane's outputs and its input
 * gradient belong to one task, so results do not depend on the thread count.
 */
public final class Pool2dGenerator {

    private static final Modifier[] CONSTANT = GeneratedClassParts.CONSTANT;

    private final Pool2dSpec spec;
    private final TypeName elem;
    private final ArrayTypeName array;
    private final boolean max;

    private Pool2dGenerator(Pool2dSpec spec) {
        this.spec = spec;
        this.elem = spec.elementType() == DType.F32 ? TypeName.FLOAT : TypeName.DOUBLE;
        this.array = ArrayTypeName.of(elem);
        this.max = spec.kind() == Pool2dSpec.Kind.MAX;
    }

    public static JavaFile generate(Pool2dSpec spec) {
        return new Pool2dGenerator(spec).file();
    }

    private JavaFile file() {
        ClassName self = ClassName.get(KernelTypes.GENERATED_PACKAGE, spec.className());
        ClassName call = self.nestedClass("Call");
        ArrayTypeName ints = ArrayTypeName.of(TypeName.INT);
        TypeSpec kernel = TypeSpec.classBuilder(self)
                .addModifiers(Modifier.PUBLIC, Modifier.FINAL)
                .addSuperinterface(KernelTypes.pool2dKernel(spec.elementType()))
                .addJavadoc("$L pooling, $L, NCHW: $L×$L×$L → $L×$L×$L, window $L×$L, stride $L×$L, padding $L×$L$L.\n",
                        max ? "Max" : "Average", spec.elementType().primitive(), spec.channels(), spec.height(), spec.width(),
                        spec.channels(), spec.outHeight(), spec.outWidth(), spec.kernelH(), spec.kernelW(), spec.strideH(), spec.strideW(),
                        spec.padH(), spec.padW(), max ? "; ties go to the first maximum in row-major window order" : "; padding counts as zero")
                .addField(GeneratedClassParts.intConstant("C", spec.channels(), "Channels."))
                .addField(GeneratedClassParts.intConstant("H", spec.height(), "Input height."))
                .addField(GeneratedClassParts.intConstant("W", spec.width(), "Input width."))
                .addField(GeneratedClassParts.intConstant("KH", spec.kernelH(), "Window height."))
                .addField(GeneratedClassParts.intConstant("KW", spec.kernelW(), "Window width."))
                .addField(GeneratedClassParts.intConstant("SH", spec.strideH(), "Vertical stride."))
                .addField(GeneratedClassParts.intConstant("SW", spec.strideW(), "Horizontal stride."))
                .addFields(paddingFields())
                .addField(GeneratedClassParts.intConstant("OH", spec.outHeight(), "Output height."))
                .addField(GeneratedClassParts.intConstant("OW", spec.outWidth(), "Output width."))
                .addField(FieldSpec.builder(TypeName.LONG, "TAP_FLOPS", CONSTANT)
                        .addJavadoc("A window tap (a load, a compare, a select) takes about the time of this many FMA flops: what the task split weighs.\n")
                        .initializer("32L").build())
                .addFields(vectorFields())
                .addField(GeneratedClassParts.specField(KernelTypes.POOL2D_SPEC, spec))
                .addField(GeneratedClassParts.callsField(call))
                .addMethod(GeneratedClassParts.specMethod(KernelTypes.POOL2D_SPEC))
                .addMethod(entry("forward", "x", "y", ints))
                .addMethod(entry("backward", "dy", "dx", ints))
                .addMethod(forwardPlane())
                .addMethod(backwardPlane())
                .addType(callClass(ints))
                .build();
        return GeneratedClassParts.file(Pool2dGenerator.class, spec, kernel);
    }

    private java.util.List<FieldSpec> paddingFields() {
        var fields = new java.util.ArrayList<FieldSpec>();
        if (spec.padH() > 0) {
            fields.add(GeneratedClassParts.intConstant("PH", spec.padH(), "Rows of padding above and below, " + (max ? "−∞" : "zero") + "."));
        }
        if (spec.padW() > 0) {
            fields.add(GeneratedClassParts.intConstant("PW", spec.padW(), "Columns of padding left and right, " + (max ? "−∞" : "zero") + "."));
        }
        return fields;
    }

    /** Outputs of one plane. */
    private int outputs() {
        return spec.outHeight() * spec.outWidth();
    }

    private int lanes() {
        return spec.elementType().lanes(spec.target().bits());
    }

    /** Outputs of a plane covered by whole vectors in the vectorised forward pass. */
    private int wholeChunks() {
        return outputs() / lanes() * lanes();
    }

    /** The species and window table of the vectorised forward pass (float, without padding). */
    private java.util.List<FieldSpec> vectorFields() {
        if (!vectorised()) {
            return java.util.List.of();
        }
        DType type = spec.elementType();
        var fields = new java.util.ArrayList<FieldSpec>();
        if (wholeChunks() > 0) {
            fields.add(FieldSpec.builder(KernelTypes.species(type), "S", CONSTANT)
                    .initializer("$T.SPECIES_$L", KernelTypes.vector(type), spec.target().bits()).build());
            if (max) {
                fields.add(FieldSpec.builder(ParameterizedTypeName.get(KernelTypes.vectorClass("VectorSpecies"), ClassName.get(Integer.class)),
                                "I", CONSTANT)
                        .addJavadoc("Int lanes matching S, for the arg-max indices.\n")
                        .initializer("$T.SPECIES_$L", KernelTypes.vectorClass("IntVector"), lanes() * 32).build());
            }
            fields.add(GeneratedClassParts.intConstant("LANES", lanes(), "Elements of one vector."));
            fields.add(GeneratedClassParts.intConstant("WHOLE_CHUNKS", wholeChunks(), "Outputs of a plane covered by whole vectors."));
        }
        fields.add(FieldSpec.builder(ArrayTypeName.of(TypeName.INT), "WINDOW", CONSTANT)
                .addJavadoc("For each output of a plane, the offset in the plane of its window's first tap.\n")
                .initializer("$T.range(0, OH * OW).map(p -> p / OW * SH * W + p % OW * SW).toArray()", java.util.stream.IntStream.class)
                .build());
        return fields;
    }

    private MethodSpec entry(String name, String in, String out, ArrayTypeName ints) {
        boolean forward = name.equals("forward");
        return MethodSpec.methodBuilder(name)
                .addAnnotation(Override.class)
                .addModifiers(Modifier.PUBLIC)
                .addParameter(TypeName.INT, "n")
                .addParameter(array, in)
                .addParameter(forward ? array : ints, forward ? out : "argmax")
                .addParameter(forward ? ints : array, forward ? "argmax" : out)
                .addStatement("$T.$L(SPEC, n, $L, $L, $L)", KernelTypes.POOL2D_ARGUMENTS, name, in, forward ? out : "argmax", forward ? "argmax" : out)
                .addStatement("CALLS.get().$L(n, $L, $L)", name, in, forward ? out + (max ? ", argmax" : "") : (max ? "argmax, " : "") + out)
                .build();
    }

    /**
     * Whether the forward pass gathers: float kernels without padding. Double kernels serve gradient checks and
     * keep scalar loops, because gathers of both element types in one JVM make the JDK's shared gather code
     * see several index species, after which the float kernel's gathers are no longer inlined and allocate
     * (2.7 MB per call measured after a double max-pool had run).
     */
    private boolean vectorised() {
        return !padded() && spec.elementType() == DType.F32;
    }

    /** Whether some window reaches into the padding (else every tap is in bounds and needs no check). */
    private boolean padded() {
        return spec.padH() > 0 || spec.padW() > 0;
    }

    /** Offsets of the taps of a window from its first one, in row-major order. */
    private java.util.List<String> tapOffsets() {
        var taps = new java.util.ArrayList<String>();
        for (int i = 0; i < spec.kernelH(); i++) {
            for (int j = 0; j < spec.kernelW(); j++) {
                taps.add(i == 0 ? String.valueOf(j) : (i == 1 ? "W" : i + " * W") + (j == 0 ? "" : " + " + j));
            }
        }
        return taps;
    }

    /**
     * One plane's forward pass without padding, so every tap is in bounds: LANES outputs at a time, each
     * tap one gather through WINDOW (the offset of every output's window in the plane) and a compare and
     * blend for max, an add for average; the last OUTPUTS % LANES outputs one by one with the same taps.
     * No branches on the data: which tap wins is unpredictable on real inputs.
     */
    private CodeBlock unrolledForward() {
        ClassName vector = KernelTypes.vector(spec.elementType());
        ClassName intVector = KernelTypes.vectorClass("IntVector");
        ClassName ops = KernelTypes.vectorClass("VectorOperators");
        java.util.List<String> taps = tapOffsets();
        CodeBlock.Builder body = CodeBlock.builder();
        if (wholeChunks() > 0) {
            body.add(max ? "// Per tap: greater keeps the first maximum; a NaN, once met, stays the maximum.\n" : "// Per tap: add it to the window's sum.\n")
                    .beginControlFlow("for (int c = 0; c < WHOLE_CHUNKS; c += LANES)");
            if (max) {
                body.addStatement("$T starts = $T.fromArray(I, WINDOW, c).add(in)", intVector, intVector)
                        .addStatement("$T best = $T.fromArray(S, x, in, WINDOW, c)", vector, vector)
                        .addStatement("$T at = starts", intVector);
                for (int t = 1; t < taps.size(); t++) {
                    body.addStatement("$T v$L = $T.fromArray(S, x, in + $L, WINDOW, c)", vector, t, vector, taps.get(t))
                            .addStatement("var take$L = v$L.compare($T.GT, best).or(v$L.test($T.IS_NAN).andNot(best.test($T.IS_NAN)))", t, t, ops, t, ops, ops)
                            .addStatement("best = best.blend(v$L, take$L)", t, t)
                            .addStatement("at = at.blend(starts.add($L), take$L.cast(I))", taps.get(t), t);
                }
                body.addStatement("best.intoArray(y, out + c)").addStatement("at.intoArray(argmax, out + c)");
            } else {
                body.addStatement("$T sum = $T.fromArray(S, x, in, WINDOW, c)", vector, vector);
                for (int t = 1; t < taps.size(); t++) {
                    body.addStatement("sum = sum.add($T.fromArray(S, x, in + $L, WINDOW, c))", vector, taps.get(t));
                }
                body.addStatement("sum.div(KH * KW).intoArray(y, out + c)");
            }
            body.endControlFlow();
        }
        if (wholeChunks() == outputs()) {
            return body.build();
        }
        body.add(wholeChunks() > 0 ? "// The last outputs, one by one, with the same taps.\n" : "// Output by output, every tap unrolled.\n")
                .beginControlFlow("for (int p = $L; p < OH * OW; p++)", wholeChunks() > 0 ? "WHOLE_CHUNKS" : "0")
                .addStatement("int base = in + WINDOW[p]");
        if (max) {
            body.addStatement("$T best = x[base]", elem).addStatement("int at = base");
        } else {
            body.addStatement("$T sum = x[base]", elem);
        }
        for (int t = 1; t < taps.size(); t++) {
            if (max) {
                body.addStatement("$T v$L = x[base + $L]", elem, t, taps.get(t))
                        .addStatement("boolean take$L = v$L > best | (v$L != v$L & best == best)", t, t, t, t)
                        .addStatement("best = take$L ? v$L : best", t, t)
                        .addStatement("at = take$L ? base + $L : at", t, taps.get(t));
            } else {
                body.addStatement("sum += x[base + $L]", taps.get(t));
            }
        }
        if (max) {
            body.addStatement("y[out + p] = best").addStatement("argmax[out + p] = at");
        } else {
            body.addStatement("y[out + p] = sum / (KH * KW)");
        }
        return body.endControlFlow().build();
    }

    /** One plane's forward pass: vectorised taps without padding, bounds-checked window loops with it. */
    private MethodSpec forwardPlane() {
        MethodSpec.Builder method = MethodSpec.methodBuilder("forwardPlane")
                .addModifiers(Modifier.PRIVATE, Modifier.STATIC)
                .addParameter(array, "x").addParameter(TypeName.INT, "in")
                .addParameter(array, "y").addParameter(TypeName.INT, "out");
        if (max) {
            method.addParameter(ArrayTypeName.of(TypeName.INT), "argmax");
        }
        return method.addCode(vectorised() ? unrolledForward() : windowForward()).build();
    }

    /** The window loops of one plane's forward pass, skipping taps that fall in the padding when there is some. */
    private CodeBlock windowForward() {
        CodeBlock.Builder body = CodeBlock.builder()
                .beginControlFlow("for (int oh = 0; oh < OH; oh++)")
                .beginControlFlow("for (int ow = 0; ow < OW; ow++)");
        if (max) {
            body.addStatement("$T best = $T.NEGATIVE_INFINITY", elem, elem.box())
                    .addStatement("int at = -1");
        } else {
            body.addStatement("$T sum = 0", elem);
        }
        openWindow(body);
        body.addStatement("int index = in + ih * W + iw")
                .addStatement("$T v = x[index]", elem);
        if (max) {
            body.add("// Strictly greater keeps the first maximum; a NaN, once met, stays the maximum.\n")
                    .beginControlFlow("if (at < 0 || v > best || (v != v && best == best))")
                    .addStatement("best = v")
                    .addStatement("at = index")
                    .endControlFlow();
        } else {
            body.addStatement("sum += v");
        }
        body.endControlFlow().endControlFlow();
        if (max) {
            body.addStatement("y[out + oh * OW + ow] = best").addStatement("argmax[out + oh * OW + ow] = at");
        } else {
            body.addStatement("y[out + oh * OW + ow] = sum / (KH * KW)");
        }
        body.endControlFlow().endControlFlow();
        return body.build();
    }

    /** Opens the loops over a window's taps (ih, iw), skipping taps in the padding when there is some. */
    private void openWindow(CodeBlock.Builder body) {
        body.beginControlFlow("for (int i = 0; i < KH; i++)")
                .addStatement("int ih = oh * SH$L + i", spec.padH() > 0 ? " - PH" : "");
        if (spec.padH() > 0) {
            body.beginControlFlow("if (ih < 0 || ih >= H)").addStatement("continue").endControlFlow();
        }
        body.beginControlFlow("for (int j = 0; j < KW; j++)")
                .addStatement("int iw = ow * SW$L + j", spec.padW() > 0 ? " - PW" : "");
        if (spec.padW() > 0) {
            body.beginControlFlow("if (iw < 0 || iw >= W)").addStatement("continue").endControlFlow();
        }
    }

    private MethodSpec backwardPlane() {
        CodeBlock.Builder body = CodeBlock.builder()
                .addStatement("$T.fill(dx, in, in + H * W, 0)", java.util.Arrays.class);
        if (max) {
            body.beginControlFlow("for (int o = out; o < out + OH * OW; o++)")
                    .addStatement("dx[argmax[o]] += dy[o]")
                    .endControlFlow();
        } else {
            body.beginControlFlow("for (int oh = 0; oh < OH; oh++)")
                    .beginControlFlow("for (int ow = 0; ow < OW; ow++)")
                    .addStatement("$T g = dy[out + oh * OW + ow] / (KH * KW)", elem);
            openWindow(body);
            body.addStatement("dx[in + ih * W + iw] += g")
                    .endControlFlow()
                    .endControlFlow()
                    .endControlFlow()
                    .endControlFlow();
        }
        MethodSpec.Builder method = MethodSpec.methodBuilder("backwardPlane")
                .addModifiers(Modifier.PRIVATE, Modifier.STATIC)
                .addParameter(array, "dy").addParameter(TypeName.INT, "out");
        if (max) {
            method.addParameter(ArrayTypeName.of(TypeName.INT), "argmax");
        }
        return method.addParameter(array, "dx").addParameter(TypeName.INT, "in")
                .addCode(body.build()).build();
    }

    private TypeSpec callClass(ArrayTypeName ints) {
        String argmax = max ? ", argmax" : "";
        TypeSpec.Builder call = TypeSpec.classBuilder("Call")
                .addModifiers(Modifier.PRIVATE, Modifier.STATIC, Modifier.FINAL)
                .addSuperinterface(KernelTypes.PARALLEL_TASK)
                .addJavadoc("One call's pass and arguments; planes (image, channel) are dealt to tasks in contiguous runs.\n")
                .addField(TypeName.BOOLEAN, "forward", Modifier.PRIVATE)
                .addField(TypeName.INT, "planes", Modifier.PRIVATE)
                .addField(TypeName.INT, "tasks", Modifier.PRIVATE);
        for (String a : new String[] {"x", "y", "dy", "dx"}) {
            call.addField(array, a, Modifier.PRIVATE);
        }
        if (max) {
            call.addField(ints, "argmax", Modifier.PRIVATE);
        }
        MethodSpec.Builder forward = MethodSpec.methodBuilder("forward")
                .addParameter(TypeName.INT, "n").addParameter(array, "x").addParameter(array, "y");
        MethodSpec.Builder backward = MethodSpec.methodBuilder("backward")
                .addParameter(TypeName.INT, "n").addParameter(array, "dy");
        if (max) {
            forward.addParameter(ints, "argmax");
            backward.addParameter(ints, "argmax");
        }
        backward.addParameter(array, "dx");
        forward.addStatement("this.x = x").addStatement("this.y = y");
        backward.addStatement("this.dy = dy").addStatement("this.dx = dx");
        if (max) {
            forward.addStatement("this.argmax = argmax");
            backward.addStatement("this.argmax = argmax");
        }
        call.addMethod(forward.addStatement("this.forward = true").addStatement("runPlanes(n)").build());
        call.addMethod(backward.addStatement("this.forward = false").addStatement("runPlanes(n)").build());
        return call.addMethod(MethodSpec.methodBuilder("runPlanes")
                        .addParameter(TypeName.INT, "n")
                        .addJavadoc("Deals the n · C planes to tasks and runs them; drops the caller's arrays after.\n")
                        .addStatement("this.planes = n * C")
                        .addStatement("tasks = $T.tasksFor(TAP_FLOPS * planes * OH * OW * KH * KW, Math.max(planes, 1))", KernelTypes.KERNEL_POOL)
                        .beginControlFlow("try")
                        .addStatement("$T.run(this, tasks)", KernelTypes.KERNEL_POOL)
                        .nextControlFlow("finally")
                        .addStatement("x = y = dy = dx = null")
                        .addCode(max ? CodeBlock.of("argmax = null;\n") : CodeBlock.of(""))
                        .endControlFlow()
                        .build())
                .addMethod(GeneratedClassParts.runTask(CodeBlock.builder()
                        .addStatement("int first = $T.start(planes, tasks, task)", KernelTypes.TASK_SPLIT)
                        .addStatement("int end = $T.start(planes, tasks, task + 1)", KernelTypes.TASK_SPLIT)
                        .beginControlFlow("for (int plane = first; plane < end; plane++)")
                        .beginControlFlow("if (forward)")
                        .addStatement("forwardPlane(x, plane * H * W, y, plane * OH * OW$L)", argmax)
                        .nextControlFlow("else")
                        .addStatement("backwardPlane(dy, plane * OH * OW$L, dx, plane * H * W)", argmax)
                        .endControlFlow()
                        .endControlFlow()
                        .build()))
                .build();
    }
}
