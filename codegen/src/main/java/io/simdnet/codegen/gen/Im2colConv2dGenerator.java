package io.simdnet.codegen.gen;

import com.palantir.javapoet.ArrayTypeName;
import com.palantir.javapoet.ClassName;
import com.palantir.javapoet.CodeBlock;
import com.palantir.javapoet.FieldSpec;
import com.palantir.javapoet.JavaFile;
import com.palantir.javapoet.MethodSpec;
import com.palantir.javapoet.TypeName;
import com.palantir.javapoet.TypeSpec;
import io.simdnet.codegen.plan.Conv2dAlgorithmPlan;
import io.simdnet.kernel.DType;
import io.simdnet.kernel.spec.Conv2dAlgorithm;
import io.simdnet.kernel.spec.Conv2dSpec;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import javax.lang.model.element.Modifier;

/**
 * Turns a {@link Conv2dSpec} planned as {@link Conv2dAlgorithm#IM2COL} into one class with every size of
 * the layer a compile-time constant: im2col and col2im loops specialised to the geometry, feeding the GEMM
 * kernels of its plan (forward NN, backward-data TN then col2im, backward-weights NT per image, summed over
 * images in image order). Images are dealt to parallel tasks; every image's result is computed by one task
 * and the per-image weight gradients are reduced in a fixed order, so results do not depend on the thread count.
 */
public final class Im2colConv2dGenerator {

    private static final Modifier[] CONSTANT = GeneratedClassParts.CONSTANT;

    private final Conv2dSpec spec;
    private final Conv2dAlgorithmPlan plan;
    private final DType type;
    private final TypeName elem;
    private final ArrayTypeName array;
    private final ClassName gemmKernel;
    private final ClassName self;

    private Im2colConv2dGenerator(Conv2dSpec spec) {
        this.spec = spec;
        this.plan = Conv2dAlgorithmPlan.of(spec);
        if (plan.algorithm() != Conv2dAlgorithm.IM2COL) {
            throw new IllegalArgumentException("Im2colConv2dGenerator: spec '" + spec.key() + "' is planned as " + plan.algorithm() + ", not IM2COL");
        }
        this.type = spec.elementType();
        this.elem = type == DType.F32 ? TypeName.FLOAT : TypeName.DOUBLE;
        this.array = ArrayTypeName.of(elem);
        this.gemmKernel = KernelTypes.gemmKernel(type);
        this.self = ClassName.get(KernelTypes.GENERATED_PACKAGE, spec.className());
    }

    public static JavaFile generate(Conv2dSpec spec) {
        return new Im2colConv2dGenerator(spec).file();
    }

    private JavaFile file() {
        ClassName call = self.nestedClass("Call");
        TypeSpec.Builder kernel = TypeSpec.classBuilder(self)
                .addModifiers(Modifier.PUBLIC, Modifier.FINAL)
                .addSuperinterface(KernelTypes.conv2dKernel(type))
                .addJavadoc("2-D convolution, $L, NCHW: $L×$L×$L → $L×$L×$L, kernel $L×$L, stride $L×$L, padding top $L bottom $L left $L right $L$L$L.\n",
                        type.primitive(), spec.inChannels(), spec.height(), spec.width(), spec.outChannels(), spec.outHeight(),
                        spec.outWidth(), spec.kernelH(), spec.kernelW(), spec.strideH(), spec.strideW(), spec.padTop(), spec.padBottom(),
                        spec.padLeft(), spec.padRight(), spec.bias() ? ", with bias" : "", spec.relu() ? ", ReLU fused into forward" : "")
                .addJavadoc("<p>im2col + GEMM: forward Y = W · col, backward-data dcol = Wᵀ · dY then col2im, backward-weights dWᵀ = col · dYᵀ per image.\n")
                .addFields(constants())
                .addField(FieldSpec.builder(KernelTypes.KERNEL_LOOKUP, "kernels", Modifier.PRIVATE, Modifier.FINAL)
                        .addJavadoc("Gives each calling thread's state the GEMM kernels of the plan.\n").build())
                .addField(FieldSpec.builder(threadLocalOf(call), "calls", Modifier.PRIVATE, Modifier.FINAL)
                        .addJavadoc("Per calling thread: the bound arguments and each task's buffers, reused so a call allocates nothing.\n")
                        .initializer("$T.withInitial(() -> new $T(this))", ThreadLocal.class, call).build())
                .addMethod(MethodSpec.constructorBuilder()
                        .addModifiers(Modifier.PUBLIC)
                        .addJavadoc("@param kernels where the GEMM kernels of the plan are looked up (the engine's registry)\n")
                        .addParameter(KernelTypes.KERNEL_LOOKUP, "kernels")
                        .addStatement("this.kernels = kernels")
                        .build())
                .addMethod(GeneratedClassParts.specMethod(KernelTypes.CONV2D_SPEC))
                .addMethods(Conv2dEntryPoints.of(spec, array))
                .addMethod(im2col())
                .addMethod(col2im())
                .addType(callClass(call));
        return GeneratedClassParts.file(Im2colConv2dGenerator.class, spec, kernel.build());
    }

    private static TypeName threadLocalOf(ClassName call) {
        return com.palantir.javapoet.ParameterizedTypeName.get(ClassName.get(ThreadLocal.class), call);
    }

    private List<FieldSpec> constants() {
        List<FieldSpec> fields = new ArrayList<>();
        fields.add(GeneratedClassParts.intConstant("C", spec.inChannels(), "Input channels."));
        fields.add(GeneratedClassParts.intConstant("H", spec.height(), "Input height."));
        fields.add(GeneratedClassParts.intConstant("W", spec.width(), "Input width."));
        fields.add(GeneratedClassParts.intConstant("OC", spec.outChannels(), "Output channels."));
        fields.add(GeneratedClassParts.intConstant("KH", spec.kernelH(), "Kernel height."));
        fields.add(GeneratedClassParts.intConstant("KW", spec.kernelW(), "Kernel width."));
        fields.add(GeneratedClassParts.intConstant("SH", spec.strideH(), "Vertical stride."));
        fields.add(GeneratedClassParts.intConstant("SW", spec.strideW(), "Horizontal stride."));
        if (spec.padTop() > 0) {
            fields.add(GeneratedClassParts.intConstant("PT", spec.padTop(), "Zero rows above the input."));
        }
        if (spec.padLeft() > 0) {
            fields.add(GeneratedClassParts.intConstant("PL", spec.padLeft(), "Zero columns left of the input."));
        }
        fields.add(GeneratedClassParts.intConstant("OH", spec.outHeight(), "Output height."));
        fields.add(GeneratedClassParts.intConstant("OW", spec.outWidth(), "Output width."));
        fields.add(GeneratedClassParts.intConstant("P", spec.outHeight() * spec.outWidth(), "Output positions per channel: columns of the patch matrix."));
        fields.add(GeneratedClassParts.intConstant("PATCH", spec.patchSize(), "Inputs under one kernel window: rows of the patch matrix."));
        fields.add(GeneratedClassParts.intConstant("IMAGE_IN", spec.inChannels() * spec.height() * spec.width(), "Elements of one input image."));
        fields.add(GeneratedClassParts.intConstant("IMAGE_OUT", spec.outChannels() * spec.outHeight() * spec.outWidth(), "Elements of one output image."));
        fields.add(GeneratedClassParts.intConstant("WEIGHTS", spec.outChannels() * spec.patchSize(), "Elements of the weights."));
        fields.add(GeneratedClassParts.intConstant("PARTIAL", partialSize(),
                "Elements of one image's gradient partial: the weights' (PATCH × OC, transposed)" + (spec.bias() ? ", then the bias'." : ".")));
        fields.add(FieldSpec.builder(TypeName.LONG, "FLOPS_PER_IMAGE", CONSTANT)
                .addJavadoc("Multiply-adds of one image's forward pass, times 2: what the task split weighs.\n")
                .initializer("$LL", spec.forwardFlopsPerImage()).build());
        fields.add(GeneratedClassParts.stringConstant("FORWARD_GEMM", plan.forwardGemm().key(), "Y (OC × P) = W (OC × PATCH) · col (PATCH × P)."));
        fields.add(GeneratedClassParts.stringConstant("BACKWARD_DATA_GEMM", plan.backwardDataGemm().key(), "dcol (PATCH × P) = Wᵀ · dY (OC × P)."));
        fields.add(GeneratedClassParts.stringConstant("BACKWARD_WEIGHTS_GEMM", plan.backwardWeightsGemm().key(),
                "dWᵀ (PATCH × OC) = col (PATCH × P) · dYᵀ: transposed, so that the operand packed by gathers is dY, not the patch matrix."));
        fields.add(GeneratedClassParts.specField(KernelTypes.CONV2D_SPEC, spec));
        return fields;
    }

    private int partialSize() {
        return spec.outChannels() * spec.patchSize() + (spec.bias() ? spec.outChannels() : 0);
    }

    /** Whether some window row can fall above or below the input. */
    private boolean rowsOverhang() {
        return spec.padTop() > 0 || (spec.outHeight() - 1) * spec.strideH() - spec.padTop() + spec.kernelH() > spec.height();
    }

    /** Whether some window column can fall left or right of the input. */
    private boolean columnsOverhang() {
        return spec.padLeft() > 0 || (spec.outWidth() - 1) * spec.strideW() - spec.padLeft() + spec.kernelW() > spec.width();
    }

    private String rowOf(String oh, String i) {
        return oh + " * SH" + (spec.padTop() > 0 ? " - PT" : "") + " + " + i;
    }

    private String columnOffset() {
        return spec.padLeft() > 0 ? " - PL + j" : " + j";
    }

    /**
     * The output columns whose window column j lies inside the input, [owFrom, owTo); without overhang that is
     * every column.
     */
    private void columnRange(CodeBlock.Builder body) {
        if (columnsOverhang()) {
            String pl = spec.padLeft() > 0 ? "PL - j" : "-j";
            String wpl = spec.padLeft() > 0 ? "W + PL - j" : "W - j";
            body.add("// Output columns whose window column j lies inside the input: [owFrom, owTo).\n")
                    .addStatement("int owFrom = Math.min(OW, Math.max(0, Math.ceilDiv($L, SW)))", pl)
                    .addStatement("int owTo = Math.max(owFrom, Math.min(OW, Math.ceilDiv($L, SW)))", wpl);
        }
    }

    /** Copies the kernel windows of one image into the PATCH × P patch matrix, zero where they overhang. */
    private MethodSpec im2col() {
        boolean overhang = columnsOverhang();
        String from = overhang ? "owFrom" : "0";
        String to = overhang ? "owTo" : "OW";
        CodeBlock.Builder body = CodeBlock.builder()
                .beginControlFlow("for (int c = 0; c < C; c++)")
                .beginControlFlow("for (int i = 0; i < KH; i++)")
                .beginControlFlow("for (int j = 0; j < KW; j++)")
                .addStatement("int row = ((c * KH + i) * KW + j) * P");
        columnRange(body);
        body.beginControlFlow("for (int oh = 0; oh < OH; oh++)")
                .addStatement("int ih = $L", rowOf("oh", "i"))
                .addStatement("int dst = row + oh * OW");
        if (rowsOverhang()) {
            body.beginControlFlow("if (ih < 0 || ih >= H)")
                    .addStatement("$T.fill(col, dst, dst + OW, 0)", Arrays.class)
                    .addStatement("continue")
                    .endControlFlow();
        }
        body.addStatement("int src = xBase + (c * H + ih) * W$L", columnOffset());
        if (overhang) {
            body.addStatement("$T.fill(col, dst, dst + owFrom, 0)", Arrays.class);
        }
        if (spec.strideW() == 1) {
            body.addStatement(overhang ? "$T.arraycopy(x, src + owFrom, col, dst + owFrom, owTo - owFrom)" : "$T.arraycopy(x, src, col, dst, OW)",
                    System.class);
        } else {
            body.beginControlFlow("for (int ow = $L; ow < $L; ow++)", from, to)
                    .addStatement("col[dst + ow] = x[src + ow * SW]")
                    .endControlFlow();
        }
        if (overhang) {
            body.addStatement("$T.fill(col, dst + owTo, dst + OW, 0)", Arrays.class);
        }
        body.endControlFlow().endControlFlow().endControlFlow().endControlFlow();
        return MethodSpec.methodBuilder("im2col")
                .addModifiers(Modifier.PRIVATE, Modifier.STATIC)
                .addJavadoc("Row (c, i, j) of the patch matrix holds input pixel (c, oh·SH − PT + i, ow·SW − PL + j) for every output (oh, ow).\n")
                .addParameter(array, "x").addParameter(TypeName.INT, "xBase").addParameter(array, "col")
                .addCode(body.build())
                .build();
    }

    /** The adjoint of {@link #im2col}: adds every patch-matrix entry back onto the pixel it came from. */
    private MethodSpec col2im() {
        boolean overhang = columnsOverhang();
        CodeBlock.Builder body = CodeBlock.builder()
                .addStatement("$T.fill(dx, dxBase, dxBase + IMAGE_IN, 0)", Arrays.class)
                .add("// Fixed order (c, i, j, oh, ow): the sums do not depend on how images were dealt to threads.\n")
                .beginControlFlow("for (int c = 0; c < C; c++)")
                .beginControlFlow("for (int i = 0; i < KH; i++)")
                .beginControlFlow("for (int j = 0; j < KW; j++)")
                .addStatement("int row = ((c * KH + i) * KW + j) * P");
        columnRange(body);
        body.beginControlFlow("for (int oh = 0; oh < OH; oh++)")
                .addStatement("int ih = $L", rowOf("oh", "i"));
        if (rowsOverhang()) {
            body.beginControlFlow("if (ih < 0 || ih >= H)")
                    .addStatement("continue")
                    .endControlFlow();
        }
        body.addStatement("int src = row + oh * OW")
                .addStatement("int dst = dxBase + (c * H + ih) * W$L", columnOffset())
                .beginControlFlow("for (int ow = $L; ow < $L; ow++)", overhang ? "owFrom" : "0", overhang ? "owTo" : "OW")
                .addStatement("dx[dst + ow * SW] += col[src + ow]")
                .endControlFlow()
                .endControlFlow().endControlFlow().endControlFlow().endControlFlow();
        return MethodSpec.methodBuilder("col2im")
                .addModifiers(Modifier.PRIVATE, Modifier.STATIC)
                .addJavadoc("dX of one image = the sum, over the windows each pixel appears in, of the patch-matrix gradient.\n")
                .addParameter(array, "col").addParameter(array, "dx").addParameter(TypeName.INT, "dxBase")
                .addCode(body.build())
                .build();
    }

    private TypeSpec callClass(ClassName call) {
        String lookup = KernelTypes.gemmLookup(type);
        TypeSpec.Builder builder = TypeSpec.classBuilder("Call")
                .addModifiers(Modifier.PRIVATE, Modifier.STATIC, Modifier.FINAL)
                .addSuperinterface(KernelTypes.PARALLEL_TASK)
                .addJavadoc("One call's pass and arguments, and the per-task buffers; images are dealt to tasks in contiguous runs.\n")
                .addType(TypeSpec.enumBuilder("Pass").addModifiers(Modifier.PRIVATE)
                        .addEnumConstant("FORWARD").addEnumConstant("BACKWARD_DATA").addEnumConstant("BACKWARD_WEIGHTS").build())
                .addField(gemmKernel, "forwardGemm", Modifier.PRIVATE, Modifier.FINAL)
                .addField(gemmKernel, "backwardDataGemm", Modifier.PRIVATE, Modifier.FINAL)
                .addField(gemmKernel, "backwardWeightsGemm", Modifier.PRIVATE, Modifier.FINAL)
                .addField(call.nestedClass("Pass"), "pass", Modifier.PRIVATE)
                .addField(TypeName.INT, "n", Modifier.PRIVATE)
                .addField(TypeName.INT, "tasks", Modifier.PRIVATE);
        for (String a : List.of("x", "weights", "bias", "y", "dy", "dx")) {
            builder.addField(array, a, Modifier.PRIVATE);
        }
        builder.addField(FieldSpec.builder(ArrayTypeName.of(array), "cols", Modifier.PRIVATE)
                        .addJavadoc("One PATCH × P patch matrix per task, grown on first use.\n")
                        .initializer("new $T[0][]", elem).build())
                .addField(FieldSpec.builder(array, "partials", Modifier.PRIVATE)
                        .addJavadoc("Per image: its gradient partial (PARTIAL elements), summed in image order afterwards.\n")
                        .initializer("new $T[0]", elem).build())
                .addMethod(MethodSpec.constructorBuilder()
                        .addParameter(self, "kernel")
                        .addStatement("forwardGemm = kernel.kernels.$L($T.parse(FORWARD_GEMM))", lookup, KernelTypes.GEMM_SPEC)
                        .addStatement("backwardDataGemm = kernel.kernels.$L($T.parse(BACKWARD_DATA_GEMM))", lookup, KernelTypes.GEMM_SPEC)
                        .addStatement("backwardWeightsGemm = kernel.kernels.$L($T.parse(BACKWARD_WEIGHTS_GEMM))", lookup, KernelTypes.GEMM_SPEC)
                        .build());
        builder.addMethod(Conv2dEntryPoints.bindingPass(array, "forward", List.of("x", "weights", "bias", "y"), "FORWARD", CodeBlock.of(""), "runImages(n)"));
        builder.addMethod(Conv2dEntryPoints.bindingPass(array, "backwardData", List.of("dy", "weights", "dx"), "BACKWARD_DATA", CodeBlock.of(""),
                "runImages(n)"));
        builder.addMethod(backwardWeightsPass());
        builder.addMethod(MethodSpec.methodBuilder("runImages")
                .addParameter(TypeName.INT, "n")
                .addJavadoc("Deals the images to tasks (one per image at most) and runs them; drops the caller's arrays after.\n")
                .addStatement("this.n = n")
                .addStatement("tasks = $T.tasksFor(n * FLOPS_PER_IMAGE, n)", KernelTypes.KERNEL_POOL)
                .beginControlFlow("if (cols.length < tasks)")
                .addStatement("cols = $T.copyOf(cols, tasks)", Arrays.class)
                .endControlFlow()
                .beginControlFlow("try")
                .addStatement("$T.run(this, tasks)", KernelTypes.KERNEL_POOL)
                .nextControlFlow("finally")
                .addStatement("x = weights = bias = y = dy = dx = null")
                .endControlFlow()
                .build());
        builder.addMethod(runTask());
        return builder.build();
    }

    private MethodSpec backwardWeightsPass() {
        MethodSpec.Builder method = MethodSpec.methodBuilder("backwardWeights")
                .addParameter(TypeName.INT, "n")
                .addParameter(array, "x").addParameter(array, "dy").addParameter(array, "dWeights").addParameter(array, "dBias")
                .beginControlFlow("if (partials.length < n * PARTIAL)")
                .addStatement("partials = new $T[n * PARTIAL]", elem)
                .endControlFlow()
                .addStatement("this.x = x")
                .addStatement("this.dy = dy")
                .addStatement("pass = Pass.BACKWARD_WEIGHTS")
                .addStatement("runImages(n)")
                .addComment("Image order, whatever the thread count: partial 0 accumulates images 1, 2, ... element by element,")
                .addComment("so the sums are the same on 1 or many threads, and the pass streams through memory (summing each")
                .addComment("element across images instead cost a cache miss per image: 86 ms for 128 channels at 8×8, batch 64).")
                .beginControlFlow("for (int image = 1; image < n; image++)")
                .addStatement("int from = image * PARTIAL")
                .beginControlFlow("for (int k = 0; k < PARTIAL; k++)")
                .addStatement("partials[k] += partials[from + k]")
                .endControlFlow()
                .endControlFlow()
                .addComment("The partial holds dWᵀ (PATCH × OC); dWeights is OC × PATCH.")
                .beginControlFlow("for (int oc = 0; oc < OC; oc++)")
                .beginControlFlow("for (int e = 0; e < PATCH; e++)")
                .addStatement("dWeights[oc * PATCH + e] = partials[e * OC + oc]")
                .endControlFlow()
                .endControlFlow();
        if (spec.bias()) {
            method.addStatement("$T.arraycopy(partials, WEIGHTS, dBias, 0, OC)", System.class);
        }
        return method.build();
    }

    private MethodSpec runTask() {
        CodeBlock.Builder body = CodeBlock.builder()
                .beginControlFlow("if (cols[task] == null)")
                .addStatement("cols[task] = new $T[PATCH * P]", elem)
                .endControlFlow()
                .addStatement("$T col = cols[task]", array)
                .addStatement("int first = $T.start(n, tasks, task)", KernelTypes.TASK_SPLIT)
                .addStatement("int end = $T.start(n, tasks, task + 1)", KernelTypes.TASK_SPLIT)
                .beginControlFlow("for (int image = first; image < end; image++)")
                .beginControlFlow("switch (pass)")
                .beginControlFlow("case FORWARD ->")
                .addStatement("im2col(x, image * IMAGE_IN, col)")
                .addStatement("forwardGemm.gemm(OC, weights, 0, col, 0, null, y, image * IMAGE_OUT)");
        if (spec.bias() || spec.relu()) {
            body.add("// The epilogue: $L.\n", spec.bias() && spec.relu() ? "bias, then ReLU" : spec.bias() ? "bias" : "ReLU")
                    .beginControlFlow("for (int oc = 0; oc < OC; oc++)")
                    .addStatement("int row = image * IMAGE_OUT + oc * P");
            if (spec.bias()) {
                body.addStatement("$T b = bias[oc]", elem);
            }
            body.beginControlFlow("for (int p = row; p < row + P; p++)");
            String value = spec.bias() ? "y[p] + b" : "y[p]";
            body.addStatement(spec.relu() ? "y[p] = Math.max(" + value + ", 0)" : "y[p] = " + value);
            body.endControlFlow().endControlFlow();
        }
        body.endControlFlow()
                .beginControlFlow("case BACKWARD_DATA ->")
                .addStatement("backwardDataGemm.gemm(PATCH, weights, 0, dy, image * IMAGE_OUT, null, col, 0)")
                .addStatement("col2im(col, dx, image * IMAGE_IN)")
                .endControlFlow()
                .beginControlFlow("case BACKWARD_WEIGHTS ->")
                .addStatement("im2col(x, image * IMAGE_IN, col)")
                .addStatement("backwardWeightsGemm.gemm(PATCH, col, 0, dy, image * IMAGE_OUT, null, partials, image * PARTIAL)");
        if (spec.bias()) {
            body.beginControlFlow("for (int oc = 0; oc < OC; oc++)")
                    .addStatement("$T sum = 0", elem)
                    .addStatement("int row = image * IMAGE_OUT + oc * P")
                    .beginControlFlow("for (int p = row; p < row + P; p++)")
                    .addStatement("sum += dy[p]")
                    .endControlFlow()
                    .addStatement("partials[image * PARTIAL + WEIGHTS + oc] = sum")
                    .endControlFlow();
        }
        body.endControlFlow().endControlFlow().endControlFlow();
        return GeneratedClassParts.runTask(body.build());
    }
}
