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
import io.simdnet.kernel.spec.KernelSpec;
import javax.lang.model.element.Modifier;

/** The pieces every generated kernel class has: its file header, size constants, spec() and per-thread call state. */
final class GeneratedClassParts {

    static final Modifier[] CONSTANT = {Modifier.PRIVATE, Modifier.STATIC, Modifier.FINAL};

    private GeneratedClassParts() {
    }

    /** A {@code private static final int} size, with its javadoc when {@code doc} is not null. */
    static FieldSpec intConstant(String name, int value, String doc) {
        FieldSpec.Builder f = FieldSpec.builder(TypeName.INT, name, CONSTANT).initializer("$L", value);
        if (doc != null) {
            f.addJavadoc(doc + "\n");
        }
        return f.build();
    }

    /** {@code k} times the constant {@code name} as a term of a generated index: {@code 0}, {@code NAME} or {@code k * NAME}. */
    static String term(int k, String name) {
        return k == 0 ? "0" : k == 1 ? name : k + " * " + name;
    }

    /** {@code " + " + term(k, name)}, or nothing when {@code k} is 0: added to an index expression. */
    static String plusTerm(int k, String name) {
        return k == 0 ? "" : " + " + term(k, name);
    }

    /** {@code " + k"}, or nothing when {@code k} is 0. */
    static String plus(int k) {
        return k == 0 ? "" : " + " + k;
    }

    /** A {@code private static final String}, with its javadoc. */
    static FieldSpec stringConstant(String name, String value, String doc) {
        return FieldSpec.builder(String.class, name, CONSTANT).addJavadoc(doc + "\n").initializer("$S", value).build();
    }

    /** {@code CALLS}: per calling thread, the nested {@code Call} holding bound arguments and buffers. */
    static FieldSpec callsField(ClassName call) {
        return FieldSpec.builder(ParameterizedTypeName.get(ClassName.get(ThreadLocal.class), call), "CALLS", CONSTANT)
                .addJavadoc("Per calling thread: the bound arguments and each task's buffers, reused so a call allocates nothing.\n")
                .initializer("$T.withInitial($T::new)", ThreadLocal.class, call)
                .build();
    }

    /** {@code SPEC}, parsed back from the key the class was generated from. */
    static FieldSpec specField(ClassName specType, KernelSpec spec) {
        return FieldSpec.builder(specType, "SPEC", CONSTANT).initializer("$T.parse($S)", specType, spec.key()).build();
    }

    /** {@code ParallelTask.runTask(int task)} with {@code body}: what one parallel task of a call does. */
    static MethodSpec runTask(CodeBlock body) {
        return MethodSpec.methodBuilder("runTask")
                .addAnnotation(Override.class)
                .addModifiers(Modifier.PUBLIC)
                .addParameter(TypeName.INT, "task")
                .addCode(body)
                .build();
    }

    /**
     * {@code buffer(buffers, task, length)}: task {@code task}'s buffer of {@code buffers}, {@code length} elements,
     * made on first use. A new one is zero, and the passes write only the parts they read back, so its zero
     * borders (and discarded columns or lanes) stay zero.
     */
    static MethodSpec taskBuffer(ArrayTypeName array) {
        return MethodSpec.methodBuilder("buffer")
                .addModifiers(Modifier.PRIVATE, Modifier.STATIC)
                .returns(array)
                .addParameter(ArrayTypeName.of(array), "buffers").addParameter(TypeName.INT, "task").addParameter(TypeName.INT, "length")
                .beginControlFlow("if (buffers[task] == null)")
                .addStatement("buffers[task] = new $T[length]", array.componentType())
                .endControlFlow()
                .addStatement("return buffers[task]")
                .build();
    }

    /** A per-task buffer array field, one buffer per task made on first use by {@link #taskBuffer}. */
    static FieldSpec taskBuffers(ArrayTypeName array, String name, String doc) {
        return FieldSpec.builder(ArrayTypeName.of(array), name, Modifier.PRIVATE).addJavadoc(doc + "\n")
                .initializer("new $T[0][]", array.componentType()).build();
    }

    static MethodSpec specMethod(ClassName specType) {
        return MethodSpec.methodBuilder("spec")
                .addAnnotation(Override.class)
                .addModifiers(Modifier.PUBLIC)
                .returns(specType)
                .addStatement("return SPEC")
                .build();
    }

    /** The source file, headed by the generator, its version and the full spec. */
    static JavaFile file(Class<?> generator, KernelSpec spec, TypeSpec type) {
        return JavaFile.builder(KernelTypes.GENERATED_PACKAGE, type)
                .addFileComment("Generated by simdnet $L version $L. Do not edit.\n", generator.getSimpleName(), GeneratorVersion.VERSION)
                .addFileComment("Spec: $L", spec.key())
                .skipJavaLangImports(true)
                .indent("    ")
                .build();
    }
}
