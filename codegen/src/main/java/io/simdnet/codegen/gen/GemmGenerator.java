package io.simdnet.codegen.gen;

import com.palantir.javapoet.ArrayTypeName;
import com.palantir.javapoet.ClassName;
import com.palantir.javapoet.CodeBlock;
import com.palantir.javapoet.FieldSpec;
import com.palantir.javapoet.JavaFile;
import com.palantir.javapoet.MethodSpec;
import com.palantir.javapoet.TypeName;
import com.palantir.javapoet.TypeSpec;
import io.simdnet.kernel.DType;
import io.simdnet.kernel.spec.GemmSpec;
import io.simdnet.kernel.spec.GemmTiling;
import javax.lang.model.element.Modifier;

/**
 * Turns a {@link GemmSpec} into one final Vector API class with every size a compile-time constant. This
 * class emits the shell: the constants, the entry point, and the per-call state that binds the arguments and
 * splits the work into tasks. The pieces inside live beside it, as in BLIS: {@link GemmCodeFacts} (the derived
 * facts), {@link GemmLoopsEmitter} (the jc/pc/ic/jr/ir loops), {@link GemmPackingEmitter} (packing of A and B)
 * and {@link GemmMicroKernelEmitter} (the register micro-kernel). Rows past M reuse the last valid row
 * (XNNPACK's trick) and are not stored; the last column panel, when N is not a multiple of NR, has its own
 * micro-kernel with a masked last vector.
 */
public final class GemmGenerator {

    private static final Modifier[] CONSTANT = GeneratedClassParts.CONSTANT;

    private final GemmSpec spec;
    private final GemmCodeFacts plan;
    private final GemmTiling tiling;
    private final TypeName elem;
    private final ArrayTypeName array;
    private final ClassName vector;
    private final GemmMicroKernelEmitter microKernel;
    private final GemmPackingEmitter packing;
    private final GemmLoopsEmitter loops;

    private GemmGenerator(GemmSpec spec) {
        this.spec = spec;
        this.plan = GemmCodeFacts.of(spec);
        this.tiling = spec.tiling();
        this.elem = plan.type() == DType.F32 ? TypeName.FLOAT : TypeName.DOUBLE;
        this.array = ArrayTypeName.of(elem);
        this.vector = KernelTypes.vector(plan.type());
        this.microKernel = new GemmMicroKernelEmitter(plan);
        this.packing = new GemmPackingEmitter(plan);
        this.loops = new GemmLoopsEmitter(plan, microKernel, packing);
    }

    /** The generated source file for {@code spec}. */
    public static JavaFile generate(GemmSpec spec) {
        return new GemmGenerator(spec).file();
    }

    private JavaFile file() {
        ClassName self = ClassName.get(KernelTypes.GENERATED_PACKAGE, spec.className());
        ClassName call = self.nestedClass("Call");
        TypeSpec.Builder kernel = TypeSpec.classBuilder(self)
                .addModifiers(Modifier.PUBLIC, Modifier.FINAL)
                .addSuperinterface(KernelTypes.gemmKernel(plan.type()))
                .addJavadoc(classDoc())
                .addFields(constants())
                .addField(GeneratedClassParts.callsField(call))
                .addMethod(GeneratedClassParts.specMethod(KernelTypes.GEMM_SPEC))
                .addMethod(gemmMethod(call))
                .addType(callClass());
        if (plan.packA()) {
            kernel.addMethod(packing.packA());
        }
        if (plan.packB()) {
            kernel.addMethod(packing.packB());
        }
        if (plan.hasFullPanels()) {
            kernel.addMethod(microKernel.method(GemmCodeFacts.MicroKernel.FULL));
        }
        if (plan.hasEdgePanel()) {
            kernel.addMethod(microKernel.method(GemmCodeFacts.MicroKernel.EDGE));
        }
        return GeneratedClassParts.file(GemmGenerator.class, spec, kernel.build());
    }

    private CodeBlock classDoc() {
        String a = spec.form().transposeA() ? "Aᵀ (A stored K×M)" : "A (M×K)";
        String b = spec.form().transposeB() ? "Bᵀ (B stored N×K)" : "B (K×N)";
        return CodeBlock.builder()
                .add("C (M×N) $L $L · $L$L, $L, for K = $L, N = $L and any M.\n", spec.accumulate() ? "+=" : "=", a, b,
                        spec.bias() ? " + bias (N)" : "", plan.type().primitive(), spec.k(), spec.n())
                .add("<p>Register tile $L × $L ($L vectors of $L lanes); KC = $L, NC = $L, MC = $L; A $L; B $L.\n", tiling.mr(), plan.nr(),
                        tiling.nrVectors(), plan.lanes(), tiling.kc(), tiling.nc(), tiling.mc(),
                        tiling.packA() ? "packed into micro-panels per MC×KC block" : "read in place",
                        tiling.packB() ? "packed into micro-panels per KC×NC block" : "read in place")
                .build();
    }

    private Iterable<FieldSpec> constants() {
        var fields = new java.util.ArrayList<FieldSpec>();
        fields.add(FieldSpec.builder(KernelTypes.species(plan.type()), "S", CONSTANT)
                .initializer("$T.SPECIES_$L", vector, tiling.vectorBits()).build());
        fields.add(GeneratedClassParts.intConstant("LANES", plan.lanes(), "Elements of one vector."));
        fields.add(GeneratedClassParts.intConstant("K", spec.k(), "Depth of the product."));
        fields.add(GeneratedClassParts.intConstant("N", spec.n(), "Columns of C and of op(B)."));
        fields.add(GeneratedClassParts.intConstant("MR", tiling.mr(), "Rows of the register micro-tile."));
        fields.add(GeneratedClassParts.intConstant("NR", plan.nr(), "Columns of the register micro-tile."));
        fields.add(GeneratedClassParts.intConstant("KC", tiling.kc(), "Depth of one cache block."));
        fields.add(GeneratedClassParts.intConstant("NC", tiling.nc(), "Columns of one cache block."));
        fields.add(GeneratedClassParts.intConstant("MC", tiling.mc(), "Rows of one cache block."));
        fields.add(GeneratedClassParts.intConstant("COLUMN_PANELS", plan.columnPanels(), "NR-wide micro-panels across N."));
        if (plan.hasEdgePanel() && plan.hasFullPanels()) {
            fields.add(GeneratedClassParts.intConstant("FULL_COLUMNS", plan.fullColumns(), "Columns covered by full micro-panels; the rest go to the edge kernel."));
        }
        if (plan.edgeMasked()) {
            fields.add(GeneratedClassParts.intConstant("EDGE_WIDTH", plan.edgeWidth(), "Columns of the edge panel."));
            fields.add(GeneratedClassParts.intConstant("EDGE_SPAN", plan.edgeVectors() * plan.lanes(), "Elements the edge panel's vectors span, past N on the last one."));
            fields.add(GeneratedClassParts.intConstant("EDGE_LANES", plan.edgeWidth() % plan.lanes(), "Lanes of the last, partial vector of the edge panel."));
            fields.add(FieldSpec.builder(KernelTypes.mask(plan.type()), "EDGE_MASK", CONSTANT)
                    .addJavadoc("Lanes of the last vector of the edge panel that lie inside N.\n")
                    .initializer("$T.fromLong(S, (1L << EDGE_LANES) - 1)", ClassName.get("jdk.incubator.vector", "VectorMask"))
                    .build());
        }
        if (plan.packB() && plan.gathersB()) {
            StringBuilder rows = new StringBuilder("{0");
            for (int l = 1; l < plan.lanes(); l++) {
                rows.append(", ").append(l).append(" * K");
            }
            fields.add(FieldSpec.builder(ArrayTypeName.of(TypeName.INT), "GATHER_ROWS", CONSTANT)
                    .addJavadoc("Offsets of LANES consecutive rows of B (stored N×K), for packing it transposed with gathers.\n")
                    .initializer("new int[] $L}", rows)
                    .build());
        }
        fields.add(GeneratedClassParts.specField(KernelTypes.GEMM_SPEC, spec));
        return fields;
    }


    private MethodSpec gemmMethod(ClassName call) {
        return MethodSpec.methodBuilder("gemm")
                .addAnnotation(Override.class)
                .addModifiers(Modifier.PUBLIC)
                .addParameter(TypeName.INT, "m")
                .addParameter(array, "a").addParameter(TypeName.INT, "aOffset")
                .addParameter(array, "b").addParameter(TypeName.INT, "bOffset")
                .addParameter(array, "bias")
                .addParameter(array, "c").addParameter(TypeName.INT, "cOffset")
                .addStatement("$T.check(SPEC, m, a, aOffset, b, bOffset, bias, c, cOffset)", KernelTypes.GEMM_ARGUMENTS)
                .beginControlFlow("if (m == 0)")
                .addStatement("return")
                .endControlFlow()
                .addStatement("$T call = CALLS.get()", call)
                .addStatement("call.bind(m, a, aOffset, b, bOffset, bias, c, cOffset)")
                .beginControlFlow("try")
                .addStatement("$T.run(call, call.tasks)", KernelTypes.KERNEL_POOL)
                .nextControlFlow("finally")
                .addStatement("call.unbind()")
                .endControlFlow()
                .build();
    }

    private TypeSpec callClass() {
        TypeSpec.Builder call = TypeSpec.classBuilder("Call")
                .addModifiers(Modifier.PRIVATE, Modifier.STATIC, Modifier.FINAL)
                .addSuperinterface(KernelTypes.PARALLEL_TASK)
                .addJavadoc("One call's arguments and its split into row × column tasks.\n")
                .addField(TypeName.INT, "m", Modifier.PRIVATE)
                .addField(array, "a", Modifier.PRIVATE).addField(TypeName.INT, "aOffset", Modifier.PRIVATE)
                .addField(array, "b", Modifier.PRIVATE).addField(TypeName.INT, "bOffset", Modifier.PRIVATE)
                .addField(array, "bias", Modifier.PRIVATE)
                .addField(array, "c", Modifier.PRIVATE).addField(TypeName.INT, "cOffset", Modifier.PRIVATE)
                .addField(TypeName.INT, "tasks", Modifier.PRIVATE)
                .addField(TypeName.INT, "rowTasks", Modifier.PRIVATE)
                .addField(TypeName.INT, "columnTasks", Modifier.PRIVATE);
        if (plan.edgeMasked()) {
            call.addField(FieldSpec.builder(ArrayTypeName.of(array), "edgeTile", Modifier.PRIVATE)
                    .addJavadoc("One buffer per task for an edge tile whose partial vector would reach past the end of C.\n")
                    .initializer("new $T[0][]", elem).build());
            if (spec.bias()) {
                call.addField(FieldSpec.builder(array, "biasPadded", Modifier.PRIVATE, Modifier.FINAL)
                        .addJavadoc("The bias, zero-padded to whole micro-panels so its partial vector is never read past its end.\n")
                        .initializer("new $T[COLUMN_PANELS * NR]", elem).build());
            }
        }
        if (plan.maskedDirectB()) {
            call.addField(FieldSpec.builder(TypeName.BOOLEAN, "lastRowOverflows", Modifier.PRIVATE)
                    .addJavadoc("Whether the partial vector of B's last row would reach past the end of b.\n").build());
            call.addField(FieldSpec.builder(array, "bLastRow", Modifier.PRIVATE, Modifier.FINAL)
                    .addJavadoc("B's last row, zero-padded to whole micro-panels, read in place of it when it would overflow.\n")
                    .initializer("new $T[COLUMN_PANELS * NR]", elem).build());
        }
        if (plan.packA()) {
            call.addField(FieldSpec.builder(ArrayTypeName.of(array), "packedA", Modifier.PRIVATE)
                    .addJavadoc("One MC × KC packing buffer per task index, grown on first use.\n")
                    .initializer("new $T[0][]", elem).build());
        }
        if (plan.packB()) {
            call.addField(FieldSpec.builder(ArrayTypeName.of(array), "packedB", Modifier.PRIVATE)
                    .addJavadoc("One KC × NC packing buffer per task index, grown on first use.\n")
                    .initializer("new $T[0][]", elem).build());
        }
        MethodSpec.Builder bind = MethodSpec.methodBuilder("bind")
                .addParameter(TypeName.INT, "m")
                .addParameter(array, "a").addParameter(TypeName.INT, "aOffset")
                .addParameter(array, "b").addParameter(TypeName.INT, "bOffset")
                .addParameter(array, "bias")
                .addParameter(array, "c").addParameter(TypeName.INT, "cOffset");
        for (String f : new String[] {"m", "a", "aOffset", "b", "bOffset", "bias", "c", "cOffset"}) {
            bind.addStatement("this.$L = $L", f, f);
        }
        if (plan.edgeMasked() && spec.bias()) {
            bind.addStatement("$T.arraycopy(bias, 0, biasPadded, 0, N)", System.class);
        }
        if (plan.maskedDirectB()) {
            bind.addStatement("lastRowOverflows = bOffset + (K - 1) * N + (COLUMN_PANELS - 1) * NR + EDGE_SPAN > b.length")
                    .beginControlFlow("if (lastRowOverflows)")
                    .addStatement("$T.arraycopy(b, bOffset + (K - 1) * N, bLastRow, 0, N)", System.class)
                    .endControlFlow();
        }
        bind.addStatement("int rowPanels = Math.ceilDiv(m, MR)")
                .addStatement("tasks = $T.tasksFor(2L * m * N * K, rowPanels * COLUMN_PANELS)", KernelTypes.KERNEL_POOL)
                .addStatement("rowTasks = $T.rowTasks(tasks, rowPanels, COLUMN_PANELS)", KernelTypes.TASK_SPLIT)
                .addStatement("columnTasks = tasks / rowTasks");
        for (String packed : perTaskBuffers()) {
            bind.beginControlFlow("if ($L.length < tasks)", packed)
                    .addStatement("$L = $T.copyOf($L, tasks)", packed, java.util.Arrays.class, packed)
                    .endControlFlow();
        }
        call.addMethod(bind.build());
        call.addMethod(MethodSpec.methodBuilder("unbind")
                .addJavadoc("Drops the caller's arrays so this thread-local does not keep them alive.\n")
                .addStatement("a = null")
                .addStatement("b = null")
                .addStatement("bias = null")
                .addStatement("c = null")
                .build());
        call.addMethod(loops.runTask());
        return call.build();
    }

    /** The Call fields that hold one buffer per task, grown to the task count. */
    private java.util.List<String> perTaskBuffers() {
        var buffers = new java.util.ArrayList<String>();
        if (plan.packA()) {
            buffers.add("packedA");
        }
        if (plan.packB()) {
            buffers.add("packedB");
        }
        if (plan.edgeMasked()) {
            buffers.add("edgeTile");
        }
        return buffers;
    }
}
