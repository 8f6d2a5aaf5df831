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
                .addField(GeneratedClassParts.intConstant("C", spec.channels(), null))
                .addField(GeneratedClassParts.intConstant("H", spec.height(), null))
                .addField(GeneratedClassParts.intConstant("W", spec.width(), null))
                .addField(GeneratedClassParts.intConstant("KH", spec.kernelH(), null))
                .addField(GeneratedClassParts.intConstant("KW", spec.kernelW(), null))
                .addField(GeneratedClassParts.intConstant("SH", spec.strideH(), null))
                .addField(GeneratedClassParts.intConstant("SW", spec.strideW(), null))
                .addField(GeneratedClassParts.intConstant("PH", spec.padH(), null))
                .addField(GeneratedClassParts.intConstant("PW", spec.padW(), null))
                .addField(GeneratedClassParts.intConstant("OH", spec.outHeight(), null))
                .addField(GeneratedClassParts.intConstant("OW", spec.outWidth(), null))
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

    /** The species and window table of the vectorised forward pass (float, without padding). */
    private java.util.List<FieldSpec> vectorFields() {
        if (!vectorised()) {
            return java.util.List.of();
        }
        DType type = spec.elementType();
        int lanes = type.lanes(512);
        ClassName vector = KernelTypes.vector(type);
        ClassName intVector = ClassName.get("jdk.incubator.vector", "IntVector");
        CodeBlock.Builder windows = CodeBlock.builder().add("$T.range(0, OH * OW).map(p -> p / OW * SH * W + p % OW * SW).toArray()",
                java.util.stream.IntStream.class);
        return java.util.List.of(
                FieldSpec.builder(KernelTypes.species(type), "S", CONSTANT).initializer("$T.SPECIES_512", vector).build(),
                FieldSpec.builder(ParameterizedTypeName.get(ClassName.get("jdk.incubator.vector", "VectorSpecies"), ClassName.get(Integer.class)),
                                "I", CONSTANT)
                        .addJavadoc("Int lanes matching S, for the arg-max indices.\n")
                        .initializer("$T.SPECIES_$L", intVector, lanes * 32).build(),
                GeneratedClassParts.intConstant("LANES", lanes, null),
                FieldSpec.builder(TypeName.INT, "WHOLE_CHUNKS", CONSTANT)
                        .addJavadoc("Outputs of a plane covered by whole vectors.\n")
                        .initializer("OH * OW / LANES * LANES").build(),
                FieldSpec.builder(ArrayTypeName.of(TypeName.INT), "WINDOW", CONSTANT)
                        .addJavadoc("For each output of a plane, the offset in the plane of its window's first tap.\n")
                        .initializer(windows.build()).build());
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
                .addStatement("CALLS.get().run($L, n, $L, $L, argmax)", forward, in, out)
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
        ClassName intVector = ClassName.get("jdk.incubator.vector", "IntVector");
        ClassName ops = ClassName.get("jdk.incubator.vector", "VectorOperators");
        java.util.List<String> taps = tapOffsets();
        CodeBlock.Builder body = CodeBlock.builder()
                .beginControlFlow("for (int c = 0; c < WHOLE_CHUNKS; c += LANES)");
        if (max) {
            body.addStatement("$T starts = $T.fromArray(I, WINDOW, c).add(in)", intVector, intVector)
                    .addStatement("$T best = $T.fromArray(S, x, in, WINDOW, c)", vector, vector)
                    .addStatement("$T at = starts", intVector);
            for (int t = 1; t < taps.size(); t++) {
                body.beginControlFlow("")
                        .addStatement("$T v = $T.fromArray(S, x, in + $L, WINDOW, c)", vector, vector, taps.get(t))
                        .add("// Greater keeps the first maximum; a NaN, once met, stays the maximum.\n")
                        .addStatement("var take = v.compare($T.GT, best).or(v.test($T.IS_NAN).andNot(best.test($T.IS_NAN)))", ops, ops, ops)
                        .addStatement("best = best.blend(v, take)")
                        .addStatement("at = at.blend(starts.add($L), take.cast(I))", taps.get(t))
                        .endControlFlow();
            }
            body.addStatement("best.intoArray(y, out + c)").addStatement("at.intoArray(argmax, out + c)");
        } else {
            body.addStatement("$T sum = $T.fromArray(S, x, in, WINDOW, c)", vector, vector);
            for (int t = 1; t < taps.size(); t++) {
                body.addStatement("sum = sum.add($T.fromArray(S, x, in + $L, WINDOW, c))", vector, taps.get(t));
            }
            body.addStatement("sum.div(KH * KW).intoArray(y, out + c)");
        }
        body.endControlFlow()
                .beginControlFlow("for (int p = WHOLE_CHUNKS; p < OH * OW; p++)")
                .addStatement("int base = in + WINDOW[p]");
        if (max) {
            body.addStatement("$T best = x[base]", elem).addStatement("int at = base");
        } else {
            body.addStatement("$T sum = x[base]", elem);
        }
        for (int t = 1; t < taps.size(); t++) {
            if (max) {
                body.beginControlFlow("")
                        .addStatement("int index = base + $L", taps.get(t))
                        .addStatement("$T v = x[index]", elem)
                        .addStatement("boolean take = v > best | (v != v & best == best)")
                        .addStatement("best = take ? v : best")
                        .addStatement("at = take ? index : at")
                        .endControlFlow();
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
        body.beginControlFlow("for (int i = 0; i < KH; i++)")
                .addStatement("int ih = oh * SH - PH + i");
        if (padded()) {
            body.beginControlFlow("if (ih < 0 || ih >= H)").addStatement("continue").endControlFlow();
        }
        body.beginControlFlow("for (int j = 0; j < KW; j++)")
                .addStatement("int iw = ow * SW - PW + j");
        if (padded()) {
            body.beginControlFlow("if (iw < 0 || iw >= W)").addStatement("continue").endControlFlow();
        }
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
                    .addStatement("$T g = dy[out + oh * OW + ow] / (KH * KW)", elem)
                    .beginControlFlow("for (int i = 0; i < KH; i++)")
                    .addStatement("int ih = oh * SH - PH + i")
                    .beginControlFlow("if (ih < 0 || ih >= H)")
                    .addStatement("continue")
                    .endControlFlow()
                    .beginControlFlow("for (int j = 0; j < KW; j++)")
                    .addStatement("int iw = ow * SW - PW + j")
                    .beginControlFlow("if (iw >= 0 && iw < W)")
                    .addStatement("dx[in + ih * W + iw] += g")
                    .endControlFlow()
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
        return TypeSpec.classBuilder("Call")
                .addModifiers(Modifier.PRIVATE, Modifier.STATIC, Modifier.FINAL)
                .addSuperinterface(KernelTypes.PARALLEL_TASK)
                .addJavadoc("One call's arguments; planes (image, channel) are dealt to tasks in contiguous runs.\n")
                .addField(TypeName.BOOLEAN, "forward", Modifier.PRIVATE)
                .addField(TypeName.INT, "planes", Modifier.PRIVATE)
                .addField(TypeName.INT, "tasks", Modifier.PRIVATE)
                .addField(array, "in", Modifier.PRIVATE)
                .addField(array, "out", Modifier.PRIVATE)
                .addField(ints, "argmax", Modifier.PRIVATE)
                .addMethod(MethodSpec.methodBuilder("run")
                        .addParameter(TypeName.BOOLEAN, "forward").addParameter(TypeName.INT, "n")
                        .addParameter(array, "in").addParameter(array, "out").addParameter(ints, "argmax")
                        .addStatement("this.forward = forward")
                        .addStatement("this.planes = n * C")
                        .addStatement("this.in = in")
                        .addStatement("this.out = out")
                        .addStatement("this.argmax = argmax")
                        .addComment("A window tap (a load, a compare, a select) takes about the time of 32 FMA flops.")
                        .addStatement("tasks = $T.tasksFor(32L * planes * OH * OW * KH * KW, Math.max(planes, 1))", KernelTypes.KERNEL_POOL)
                        .beginControlFlow("try")
                        .addStatement("$T.run(this, tasks)", KernelTypes.KERNEL_POOL)
                        .nextControlFlow("finally")
                        .addStatement("this.in = null")
                        .addStatement("this.out = null")
                        .addStatement("this.argmax = null")
                        .endControlFlow()
                        .build())
                .addMethod(MethodSpec.methodBuilder("runTask")
                        .addAnnotation(Override.class)
                        .addModifiers(Modifier.PUBLIC)
                        .addParameter(TypeName.INT, "task")
                        .addStatement("int first = $T.start(planes, tasks, task)", KernelTypes.TASK_SPLIT)
                        .addStatement("int end = $T.start(planes, tasks, task + 1)", KernelTypes.TASK_SPLIT)
                        .beginControlFlow("for (int plane = first; plane < end; plane++)")
                        .beginControlFlow("if (forward)")
                        .addStatement("forwardPlane(in, plane * H * W, out, plane * OH * OW$L)", argmax)
                        .nextControlFlow("else")
                        .addStatement("backwardPlane(in, plane * OH * OW$L, out, plane * H * W)", argmax)
                        .endControlFlow()
                        .endControlFlow()
                        .build())
                .build();
    }
}
