package io.simdnet.codegen.gen;

import com.palantir.javapoet.ArrayTypeName;
import com.palantir.javapoet.ClassName;
import com.palantir.javapoet.CodeBlock;
import com.palantir.javapoet.FieldSpec;
import com.palantir.javapoet.MethodSpec;
import com.palantir.javapoet.ParameterizedTypeName;
import com.palantir.javapoet.TypeName;
import com.palantir.javapoet.TypeSpec;
import io.simdnet.kernel.spec.Conv2dSpec;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import javax.lang.model.element.Modifier;

/**
 * The passes of a generated convolution that binds its arguments to a per-thread {@code Call} (DIRECT and
 * BLOCKED): the public ones (check the arguments against the spec, handle the empty batch, hand the rest to
 * {@code calls.get()}), the shared constants and {@code calls} field, and the {@code Call}'s argument fields and
 * methods that bind a pass's arrays, deal its work items to tasks and run it.
 */
final class Conv2dEntryPoints {

    private Conv2dEntryPoints() {
    }

    /** forward, backwardData and backwardWeights for {@code spec}, whose arrays are of type {@code array}. */
    static List<MethodSpec> of(Conv2dSpec spec, ArrayTypeName array) {
        return List.of(
                entry(array, "forward", "Y = conv(X, W)" + (spec.bias() ? " + bias" : "") + (spec.relu() ? ", then ReLU" : ""),
                        List.of("x", "weights", "bias", "y"), null),
                entry(array, "backwardData", "dX = the gradient of the forward pass with respect to X, given dY", List.of("dy", "weights", "dx"), null),
                entry(array, "backwardWeights", "dW" + (spec.bias() ? " and dB" : "") + " = the gradients with respect to the weights"
                        + (spec.bias() ? " and bias" : "") + ", summed over the batch", List.of("x", "dy", "dWeights", "dBias"), zeroGradients(spec)));
    }

    /** With an empty batch the gradients are still overwritten: with zeros. */
    private static CodeBlock zeroGradients(Conv2dSpec spec) {
        CodeBlock.Builder zero = CodeBlock.builder().addStatement("$T.fill(dWeights, 0, WEIGHTS, 0)", Arrays.class);
        if (spec.bias()) {
            zero.addStatement("$T.fill(dBias, 0, OC, 0)", Arrays.class);
        }
        return zero.build();
    }

    private static MethodSpec entry(ArrayTypeName array, String name, String doc, List<String> arrays, CodeBlock onEmptyBatch) {
        MethodSpec.Builder method = MethodSpec.methodBuilder(name)
                .addAnnotation(Override.class)
                .addModifiers(Modifier.PUBLIC)
                .addJavadoc("$L.\n", doc)
                .addParameter(TypeName.INT, "n");
        for (String a : arrays) {
            method.addParameter(array, a);
        }
        String list = String.join(", ", arrays);
        method.addStatement("$T.$L(SPEC, n, $L)", KernelTypes.CONV2D_ARGUMENTS, name, list)
                .beginControlFlow("if (n == 0)");
        if (onEmptyBatch != null) {
            method.addCode(onEmptyBatch);
        }
        return method.addStatement("return")
                .endControlFlow()
                .addStatement("calls.get().$L(n, $L)", name, list)
                .build();
    }

    /**
     * The {@code Call}'s method {@code name}: binds {@code arrays} to the fields of the same names, runs
     * {@code before}, sets {@code pass} and runs {@code run}.
     */
    static MethodSpec bindingPass(ArrayTypeName array, String name, List<String> arrays, String pass, CodeBlock before, String run) {
        MethodSpec.Builder method = MethodSpec.methodBuilder(name).addParameter(TypeName.INT, "n");
        for (String a : arrays) {
            method.addParameter(array, a);
            method.addStatement("this.$L = $L", a, a);
        }
        return method.addCode(before).addStatement("pass = Pass.$L", pass).addStatement(run).build();
    }

    /** {@code S}, {@code IMAGE_IN}, {@code IMAGE_OUT}, {@code WEIGHTS}, {@code FLOPS_PER_IMAGE}, with {@code between} after S. */
    static List<FieldSpec> constants(Conv2dSpec spec, List<FieldSpec> between) {
        List<FieldSpec> f = new ArrayList<>();
        f.add(FieldSpec.builder(KernelTypes.species(spec.elementType()), "S", GeneratedClassParts.CONSTANT)
                .addJavadoc("The vector shape the kernel was generated for.\n")
                .initializer("$T.SPECIES_$L", KernelTypes.vector(spec.elementType()), spec.target().bits()).build());
        f.addAll(between);
        f.add(GeneratedClassParts.intConstant("IMAGE_IN", spec.inChannels() * spec.height() * spec.width(), "Elements of one input image."));
        f.add(GeneratedClassParts.intConstant("IMAGE_OUT", spec.outChannels() * spec.outHeight() * spec.outWidth(), "Elements of one output image."));
        f.add(GeneratedClassParts.intConstant("WEIGHTS", spec.outChannels() * spec.patchSize(), "Elements of the weights."));
        f.add(FieldSpec.builder(TypeName.LONG, "FLOPS_PER_IMAGE", GeneratedClassParts.CONSTANT)
                .addJavadoc("Multiply-adds of one image's forward pass, times 2: what the task split weighs.\n")
                .initializer("$LL", spec.forwardFlopsPerImage()).build());
        f.add(GeneratedClassParts.specField(KernelTypes.CONV2D_SPEC, spec));
        return f;
    }

    /** {@code calls}: per calling thread, the {@code Call} with its bound arguments and buffers. */
    static FieldSpec callsField(ClassName call, String doc) {
        return FieldSpec.builder(ParameterizedTypeName.get(ClassName.get(ThreadLocal.class), call), "calls", Modifier.PRIVATE, Modifier.FINAL)
                .addJavadoc(doc + "\n")
                .initializer("$T.withInitial($T::new)", ThreadLocal.class, call).build();
    }

    /** The {@code Call}'s pass, call and task-split fields and one field per argument array. */
    static void argumentFields(TypeSpec.Builder call, ClassName pass, ArrayTypeName array) {
        call.addField(pass, "pass", Modifier.PRIVATE)
                .addField(TypeName.INT, "n", Modifier.PRIVATE)
                .addField(TypeName.INT, "items", Modifier.PRIVATE)
                .addField(TypeName.INT, "tasks", Modifier.PRIVATE);
        for (String a : List.of("x", "weights", "bias", "y", "dy", "dx", "dWeights", "dBias")) {
            call.addField(array, a, Modifier.PRIVATE);
        }
    }

    /**
     * The {@code Call}'s {@code run(n, items)}: deals the work items to tasks, grows the per-task {@code buffers} to
     * the task count, runs the tasks and drops the caller's arrays after.
     */
    static MethodSpec run(List<String> buffers) {
        MethodSpec.Builder m = MethodSpec.methodBuilder("run")
                .addParameter(TypeName.INT, "n").addParameter(TypeName.INT, "items")
                .addJavadoc("Deals {@code items} work items to tasks (one per item at most) and runs them; drops the caller's arrays after.\n")
                .addStatement("this.n = n")
                .addStatement("this.items = items")
                .addStatement("tasks = $T.tasksFor(n * FLOPS_PER_IMAGE, items)", KernelTypes.KERNEL_POOL)
                .beginControlFlow("if ($L.length < tasks)", buffers.getFirst());
        for (String b : buffers) {
            m.addStatement("$L = $T.copyOf($L, tasks)", b, Arrays.class, b);
        }
        return m.endControlFlow()
                .beginControlFlow("try")
                .addStatement("$T.run(this, tasks)", KernelTypes.KERNEL_POOL)
                .nextControlFlow("finally")
                .addStatement("x = weights = bias = y = dy = dx = dWeights = dBias = null")
                .endControlFlow()
                .build();
    }
}
