package io.simdnet.codegen.gen;

import com.palantir.javapoet.ArrayTypeName;
import com.palantir.javapoet.ClassName;
import com.palantir.javapoet.CodeBlock;
import com.palantir.javapoet.FieldSpec;
import com.palantir.javapoet.JavaFile;
import com.palantir.javapoet.MethodSpec;
import com.palantir.javapoet.TypeName;
import com.palantir.javapoet.TypeSpec;
import io.simdnet.codegen.spec.Conv2dSpec;
import io.simdnet.codegen.spec.ElementType;
import io.simdnet.codegen.spec.GemmForm;
import io.simdnet.codegen.spec.GemmSpec;
import javax.lang.model.element.Modifier;

/**
 * Turns a {@link Conv2dSpec} into one class with every size of the layer a compile-time constant: im2col and
 * col2im loops specialised to the geometry, feeding GEMM kernels specialised to its products:
 * <ul>
 *   <li>forward: Y (OC × P) = W (OC × PATCH) · col (PATCH × P), then bias and ReLU;
 *   <li>backward-data: dcol (PATCH × P) = Wᵀ · dY, then col2im into dX;
 *   <li>backward-weights: dWₙᵀ (PATCH × OC) = colₙ · dYₙᵀ per image, summed over images in image order.
 * </ul>
 * Images are dealt to parallel tasks; every image's result is computed by one task, and the per-image
 * weight gradients are reduced in a fixed order, so results do not depend on the thread count.
 */
public final class Conv2dGenerator {

    private static final Modifier[] CONSTANT = GeneratedClassParts.CONSTANT;

    private final Conv2dSpec spec;
    private final ElementType type;
    private final TypeName elem;
    private final ArrayTypeName array;
    private final ClassName gemmKernel;

    private Conv2dGenerator(Conv2dSpec spec) {
        this.spec = spec;
        this.type = spec.elementType();
        this.elem = type == ElementType.FLOAT ? TypeName.FLOAT : TypeName.DOUBLE;
        this.array = ArrayTypeName.of(elem);
        this.gemmKernel = RuntimeTypes.gemmKernel(type);
    }

    public static JavaFile generate(Conv2dSpec spec) {
        return new Conv2dGenerator(spec).file();
    }

    /** The GEMM of the forward pass: weights (OC × PATCH) times the patch matrix (PATCH × P), M = OC. */
    public static GemmSpec forwardGemm(Conv2dSpec spec) {
        return GemmSpec.of(spec.elementType(), GemmForm.NN, spec.patchSize(), positions(spec), false, false);
    }

    /** The GEMM of backward-data: Wᵀ (PATCH × OC) times dY (OC × P), M = PATCH. */
    public static GemmSpec backwardDataGemm(Conv2dSpec spec) {
        return GemmSpec.of(spec.elementType(), GemmForm.TN, spec.outChannels(), positions(spec), false, false);
    }

    /**
     * The GEMM of backward-weights, transposed: dWᵀ (PATCH × OC) = col (PATCH × P) · dYᵀ (P × OC), M = PATCH.
     * Transposed because then the operand packed with gathers is dY (OC × P), not the PATCH-times-larger
     * patch matrix; the per-image results are transposed back once, while they are summed.
     */
    public static GemmSpec backwardWeightsGemm(Conv2dSpec spec) {
        return GemmSpec.of(spec.elementType(), GemmForm.NT, positions(spec), spec.outChannels(), false, false);
    }

    private static int positions(Conv2dSpec spec) {
        return spec.outHeight() * spec.outWidth();
    }

    private JavaFile file() {
        ClassName self = ClassName.get(RuntimeTypes.GENERATED_PACKAGE, spec.className());
        ClassName call = self.nestedClass("Call");
        TypeSpec.Builder kernel = TypeSpec.classBuilder(self)
                .addModifiers(Modifier.PUBLIC, Modifier.FINAL)
                .addSuperinterface(RuntimeTypes.conv2dKernel(type))
                .addJavadoc("2-D convolution, $L, NCHW: $L×$L×$L → $L×$L×$L, kernel $L×$L, stride $L×$L, padding top $L bottom $L left $L right $L$L$L.\n",
                        type.primitive(), spec.inChannels(), spec.height(), spec.width(), spec.outChannels(), spec.outHeight(),
                        spec.outWidth(), spec.kernelH(), spec.kernelW(), spec.strideH(), spec.strideW(), spec.padTop(), spec.padBottom(),
                        spec.padLeft(), spec.padRight(), spec.bias() ? ", with bias" : "", spec.relu() ? ", ReLU fused into forward" : "")
                .addFields(constants())
                .addField(GeneratedClassParts.callsField(call))
                .addMethod(GeneratedClassParts.specMethod(RuntimeTypes.CONV2D_SPEC))
                .addMethod(entry("forward", "Y = conv(X, W) (+ bias)$L", new String[] {"x", "weights", "bias", "y"}, "FORWARD"))
                .addMethod(entry("backwardData", "dX = the gradient of the forward pass with respect to X, given dY", new String[] {"dy", "weights", "dx"},
                        "BACKWARD_DATA"))
                .addMethod(entry("backwardWeights", "dW (and dB) = the gradient with respect to the weights (and bias), summed over the batch",
                        new String[] {"x", "dy", "dWeights", "dBias"}, "BACKWARD_WEIGHTS"))
                .addMethod(im2col())
                .addMethod(col2im())
                .addType(callClass());
        return GeneratedClassParts.file(Conv2dGenerator.class, spec, kernel.build());
    }

    private Iterable<FieldSpec> constants() {
        var fields = new java.util.ArrayList<FieldSpec>();
        fields.add(GeneratedClassParts.intConstant("C", spec.inChannels(), "Input channels."));
        fields.add(GeneratedClassParts.intConstant("H", spec.height(), "Input height."));
        fields.add(GeneratedClassParts.intConstant("W", spec.width(), "Input width."));
        fields.add(GeneratedClassParts.intConstant("OC", spec.outChannels(), "Output channels."));
        fields.add(GeneratedClassParts.intConstant("KH", spec.kernelH(), null));
        fields.add(GeneratedClassParts.intConstant("KW", spec.kernelW(), null));
        fields.add(GeneratedClassParts.intConstant("SH", spec.strideH(), null));
        fields.add(GeneratedClassParts.intConstant("SW", spec.strideW(), null));
        fields.add(GeneratedClassParts.intConstant("PT", spec.padTop(), "Zero rows above the input."));
        fields.add(GeneratedClassParts.intConstant("PL", spec.padLeft(), "Zero columns left of the input."));
        fields.add(GeneratedClassParts.intConstant("OH", spec.outHeight(), "Output height."));
        fields.add(GeneratedClassParts.intConstant("OW", spec.outWidth(), "Output width."));
        fields.add(GeneratedClassParts.intConstant("P", spec.outHeight() * spec.outWidth(), "Output positions per channel."));
        fields.add(GeneratedClassParts.intConstant("PATCH", spec.patchSize(), "Inputs under one kernel window: rows of the patch matrix."));
        fields.add(GeneratedClassParts.intConstant("IMAGE_IN", spec.inChannels() * spec.height() * spec.width(), "Elements of one input image."));
        fields.add(GeneratedClassParts.intConstant("IMAGE_OUT", spec.outChannels() * spec.outHeight() * spec.outWidth(), "Elements of one output image."));
        fields.add(GeneratedClassParts.intConstant("WEIGHTS", spec.outChannels() * spec.patchSize(), "Elements of the weights."));
        fields.add(GeneratedClassParts.specField(RuntimeTypes.CONV2D_SPEC, spec));
        return fields;
    }


    /** A public entry point: check, bind the arguments, run the pass over the images' tasks. */
    private MethodSpec entry(String name, String doc, String[] arrays, String pass) {
        MethodSpec.Builder method = MethodSpec.methodBuilder(name)
                .addAnnotation(Override.class)
                .addModifiers(Modifier.PUBLIC)
                .addJavadoc("$L.\n", doc.replace("$L", spec.relu() ? ", then ReLU" : ""))
                .addParameter(TypeName.INT, "n");
        for (String a : arrays) {
            method.addParameter(array, a);
        }
        String list = String.join(", ", arrays);
        return method
                .addStatement("$T.$L(SPEC, n, $L)", RuntimeTypes.CONV2D_ARGUMENTS, name, list)
                .beginControlFlow("if (n == 0)")
                .addStatement("return")
                .endControlFlow()
                .addStatement("$T call = CALLS.get()", ClassName.get(RuntimeTypes.GENERATED_PACKAGE, spec.className()).nestedClass("Call"))
                .addStatement("call.$L(n, $L)", name, list)
                .build();
    }

    /** Copies the kernel windows of one image into the PATCH × P patch matrix, zero where they overhang. */
    private MethodSpec im2col() {
        CodeBlock body = CodeBlock.builder()
                .beginControlFlow("for (int c = 0; c < C; c++)")
                .beginControlFlow("for (int i = 0; i < KH; i++)")
                .beginControlFlow("for (int j = 0; j < KW; j++)")
                .addStatement("int row = ((c * KH + i) * KW + j) * P")
                .add("// Output columns whose window column j lies inside the input: [owFrom, owTo).\n")
                .addStatement("int owFrom = Math.min(OW, Math.max(0, Math.ceilDiv(PL - j, SW)))")
                .addStatement("int owTo = Math.max(owFrom, Math.min(OW, Math.ceilDiv(W + PL - j, SW)))")
                .beginControlFlow("for (int oh = 0; oh < OH; oh++)")
                .addStatement("int ih = oh * SH - PT + i")
                .addStatement("int dst = row + oh * OW")
                .beginControlFlow("if (ih < 0 || ih >= H)")
                .addStatement("$T.fill(col, dst, dst + OW, 0)", java.util.Arrays.class)
                .addStatement("continue")
                .endControlFlow()
                .addStatement("int src = xBase + (c * H + ih) * W - PL + j")
                .addStatement("$T.fill(col, dst, dst + owFrom, 0)", java.util.Arrays.class)
                .add(spec.strideW() == 1
                        ? CodeBlock.of("$T.arraycopy(x, src + owFrom, col, dst + owFrom, owTo - owFrom);\n", System.class)
                        : CodeBlock.builder()
                                .beginControlFlow("for (int ow = owFrom; ow < owTo; ow++)")
                                .addStatement("col[dst + ow] = x[src + ow * SW]")
                                .endControlFlow()
                                .build())
                .addStatement("$T.fill(col, dst + owTo, dst + OW, 0)", java.util.Arrays.class)
                .endControlFlow()
                .endControlFlow()
                .endControlFlow()
                .endControlFlow()
                .build();
        return MethodSpec.methodBuilder("im2col")
                .addModifiers(Modifier.PRIVATE, Modifier.STATIC)
                .addJavadoc("Row (c, i, j) of the patch matrix holds input pixel (c, oh·SH − PT + i, ow·SW − PL + j) for every output (oh, ow).\n")
                .addParameter(array, "x").addParameter(TypeName.INT, "xBase").addParameter(array, "col")
                .addCode(body)
                .build();
    }

    /** The adjoint of {@link #im2col}: adds every patch-matrix entry back onto the pixel it came from. */
    private MethodSpec col2im() {
        CodeBlock body = CodeBlock.builder()
                .addStatement("$T.fill(dx, dxBase, dxBase + IMAGE_IN, 0)", java.util.Arrays.class)
                .add("// Fixed order (c, i, j, oh, ow): the sums do not depend on how images were dealt to threads.\n")
                .beginControlFlow("for (int c = 0; c < C; c++)")
                .beginControlFlow("for (int i = 0; i < KH; i++)")
                .beginControlFlow("for (int j = 0; j < KW; j++)")
                .addStatement("int row = ((c * KH + i) * KW + j) * P")
                .addStatement("int owFrom = Math.min(OW, Math.max(0, Math.ceilDiv(PL - j, SW)))")
                .addStatement("int owTo = Math.max(owFrom, Math.min(OW, Math.ceilDiv(W + PL - j, SW)))")
                .beginControlFlow("for (int oh = 0; oh < OH; oh++)")
                .addStatement("int ih = oh * SH - PT + i")
                .beginControlFlow("if (ih < 0 || ih >= H)")
                .addStatement("continue")
                .endControlFlow()
                .addStatement("int src = row + oh * OW")
                .addStatement("int dst = dxBase + (c * H + ih) * W - PL + j")
                .beginControlFlow("for (int ow = owFrom; ow < owTo; ow++)")
                .addStatement("dx[dst + ow * SW] += col[src + ow]")
                .endControlFlow()
                .endControlFlow()
                .endControlFlow()
                .endControlFlow()
                .endControlFlow()
                .build();
        return MethodSpec.methodBuilder("col2im")
                .addModifiers(Modifier.PRIVATE, Modifier.STATIC)
                .addJavadoc("dX of one image = the sum, over the windows each pixel appears in, of the patch-matrix gradient.\n")
                .addParameter(array, "col").addParameter(array, "dx").addParameter(TypeName.INT, "dxBase")
                .addCode(body)
                .build();
    }

    private TypeSpec callClass() {
        TypeSpec.Builder call = TypeSpec.classBuilder("Call")
                .addModifiers(Modifier.PRIVATE, Modifier.STATIC, Modifier.FINAL)
                .addSuperinterface(RuntimeTypes.PARALLEL_TASK)
                .addJavadoc("One call's arguments, its pass, and the per-task buffers; images are dealt to tasks in contiguous runs.\n")
                .addField(FieldSpec.builder(TypeName.INT, "FORWARD", CONSTANT).initializer("0").build())
                .addField(FieldSpec.builder(TypeName.INT, "BACKWARD_DATA", CONSTANT).initializer("1").build())
                .addField(FieldSpec.builder(TypeName.INT, "BACKWARD_WEIGHTS", CONSTANT).initializer("2").build())
                .addField(FieldSpec.builder(gemmKernel, "forwardGemm", Modifier.PRIVATE, Modifier.FINAL)
                        .initializer("$T.global().$L($T.forwardGemm(SPEC))", RuntimeTypes.KERNEL_REGISTRY, gemmGetter(), Conv2dGenerator.class).build())
                .addField(FieldSpec.builder(gemmKernel, "backwardDataGemm", Modifier.PRIVATE, Modifier.FINAL)
                        .initializer("$T.global().$L($T.backwardDataGemm(SPEC))", RuntimeTypes.KERNEL_REGISTRY, gemmGetter(), Conv2dGenerator.class).build())
                .addField(FieldSpec.builder(gemmKernel, "backwardWeightsGemm", Modifier.PRIVATE, Modifier.FINAL)
                        .initializer("$T.global().$L($T.backwardWeightsGemm(SPEC))", RuntimeTypes.KERNEL_REGISTRY, gemmGetter(), Conv2dGenerator.class).build())
                .addField(TypeName.INT, "pass", Modifier.PRIVATE)
                .addField(TypeName.INT, "n", Modifier.PRIVATE)
                .addField(TypeName.INT, "tasks", Modifier.PRIVATE)
                .addField(array, "x", Modifier.PRIVATE)
                .addField(array, "weights", Modifier.PRIVATE)
                .addField(array, "bias", Modifier.PRIVATE)
                .addField(array, "y", Modifier.PRIVATE)
                .addField(FieldSpec.builder(ArrayTypeName.of(array), "cols", Modifier.PRIVATE)
                        .addJavadoc("One PATCH × P patch matrix per task, grown on first use.\n")
                        .initializer("new $T[0][]", elem).build())
                .addField(FieldSpec.builder(array, "partials", Modifier.PRIVATE)
                        .addJavadoc("Per image: its weight gradient (and bias gradient), summed in image order afterwards.\n")
                        .initializer("new $T[0]", elem).build());
        call.addMethod(pass("forward", new String[] {"x", "weights", "bias", "y"}, "FORWARD"));
        call.addMethod(pass("backwardData", new String[] {"dy", "weights", "dx"}, "BACKWARD_DATA"));
        call.addMethod(backwardWeightsPass());
        call.addMethod(MethodSpec.methodBuilder("runImages")
                .addParameter(TypeName.INT, "n")
                .addJavadoc("Deals the images to tasks (one per image at most) and runs them; drops the caller's arrays after.\n")
                .addStatement("this.n = n")
                .addStatement("tasks = $T.tasksFor(n * (long) $L, n)", RuntimeTypes.KERNEL_POOL, spec.forwardFlopsPerImage())
                .beginControlFlow("if (cols.length < tasks)")
                .addStatement("cols = $T.copyOf(cols, tasks)", java.util.Arrays.class)
                .endControlFlow()
                .beginControlFlow("try")
                .addStatement("$T.run(this, tasks)", RuntimeTypes.KERNEL_POOL)
                .nextControlFlow("finally")
                .addStatement("x = null")
                .addStatement("weights = null")
                .addStatement("bias = null")
                .addStatement("y = null")
                .endControlFlow()
                .build());
        call.addMethod(runTask());
        return call.build();
    }

    private String gemmGetter() {
        return type == ElementType.FLOAT ? "floatGemm" : "doubleGemm";
    }

    /** Binds a pass's arrays to the call's four slots (input, weights, bias, output) and runs it. */
    private MethodSpec pass(String name, String[] arrays, String pass) {
        MethodSpec.Builder method = MethodSpec.methodBuilder(name).addParameter(TypeName.INT, "n");
        for (String a : arrays) {
            method.addParameter(array, a);
        }
        String[] slots = {"x", "weights", "bias", "y"};
        String[] bound = name.equals("forward") ? arrays : new String[] {"dy", "weights", null, "dx"};
        for (int i = 0; i < slots.length; i++) {
            method.addStatement("this.$L = $L", slots[i], bound[i] == null ? "null" : bound[i]);
        }
        return method.addStatement("pass = $L", pass).addStatement("runImages(n)").build();
    }

    private MethodSpec backwardWeightsPass() {
        MethodSpec.Builder method = MethodSpec.methodBuilder("backwardWeights")
                .addParameter(TypeName.INT, "n")
                .addParameter(array, "x").addParameter(array, "dy").addParameter(array, "dWeights").addParameter(array, "dBias");
        int perImage = spec.outChannels() * spec.patchSize() + (spec.bias() ? spec.outChannels() : 0);
        method.addStatement("int perImage = $L", perImage)
                .beginControlFlow("if (partials.length < n * perImage)")
                .addStatement("partials = new $T[n * perImage]", elem)
                .endControlFlow()
                .addStatement("this.x = x")
                .addStatement("this.y = dy")
                .addStatement("pass = BACKWARD_WEIGHTS")
                .addStatement("runImages(n)")
                .addComment("Image order, whatever the thread count: partial 0 accumulates images 1, 2, ... element by element,")
                .addComment("so the sums are the same on 1 or many threads, and the pass streams through memory (summing each")
                .addComment("element across images instead cost a cache miss per image: 86 ms for 128 channels at 8×8, batch 64).")
                .beginControlFlow("for (int image = 1; image < n; image++)")
                .addStatement("int from = image * perImage")
                .beginControlFlow("for (int k = 0; k < perImage; k++)")
                .addStatement("partials[k] += partials[from + k]")
                .endControlFlow()
                .endControlFlow()
                .addComment("Each partial is PATCH × OC (transposed); dWeights is OC × PATCH.")
                .beginControlFlow("for (int oc = 0; oc < OC; oc++)")
                .beginControlFlow("for (int e = 0; e < PATCH; e++)")
                .addStatement("dWeights[oc * PATCH + e] = partials[e * OC + oc]")
                .endControlFlow()
                .endControlFlow();
        if (spec.bias()) {
            method.beginControlFlow("for (int oc = 0; oc < OC; oc++)")
                    .addStatement("dBias[oc] = partials[WEIGHTS + oc]")
                    .endControlFlow();
        }
        return method.build();
    }

    private MethodSpec runTask() {
        int perImage = spec.outChannels() * spec.patchSize() + (spec.bias() ? spec.outChannels() : 0);
        CodeBlock.Builder body = CodeBlock.builder()
                .beginControlFlow("if (cols[task] == null)")
                .addStatement("cols[task] = new $T[PATCH * P]", elem)
                .endControlFlow()
                .addStatement("$T col = cols[task]", array)
                .addStatement("int first = $T.start(n, tasks, task)", RuntimeTypes.GEMM_PARTITION)
                .addStatement("int end = $T.start(n, tasks, task + 1)", RuntimeTypes.GEMM_PARTITION)
                .beginControlFlow("for (int image = first; image < end; image++)")
                .beginControlFlow("switch (pass)")
                .beginControlFlow("case FORWARD ->");
        body.addStatement("im2col(x, image * IMAGE_IN, col)")
                .addStatement("forwardGemm.gemm(OC, weights, 0, col, 0, null, y, image * IMAGE_OUT)");
        if (spec.bias() || spec.relu()) {
            body.beginControlFlow("for (int oc = 0; oc < OC; oc++)")
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
                .addStatement("backwardDataGemm.gemm(PATCH, weights, 0, x, image * IMAGE_OUT, null, col, 0)")
                .addStatement("col2im(col, y, image * IMAGE_IN)")
                .endControlFlow()
                .beginControlFlow("default ->")
                .addStatement("im2col(x, image * IMAGE_IN, col)")
                .addStatement("backwardWeightsGemm.gemm(PATCH, col, 0, y, image * IMAGE_OUT, null, partials, image * $L)", perImage);
        if (spec.bias()) {
            body.beginControlFlow("for (int oc = 0; oc < OC; oc++)")
                    .addStatement("$T sum = 0", elem)
                    .addStatement("int row = image * IMAGE_OUT + oc * P")
                    .beginControlFlow("for (int p = row; p < row + P; p++)")
                    .addStatement("sum += y[p]")
                    .endControlFlow()
                    .addStatement("partials[image * $L + WEIGHTS + oc] = sum", perImage)
                    .endControlFlow();
        }
        body.endControlFlow().endControlFlow().endControlFlow();
        return MethodSpec.methodBuilder("runTask")
                .addAnnotation(Override.class)
                .addModifiers(Modifier.PUBLIC)
                .addParameter(TypeName.INT, "task")
                .addCode(body.build())
                .build();
    }
}
