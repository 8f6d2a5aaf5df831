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
import io.simdnet.kernel.spec.GemmForm;
import io.simdnet.kernel.spec.GemmSpec;
import io.simdnet.kernel.spec.GemmTiling;
import javax.lang.model.element.Modifier;

/**
 * Turns a {@link GemmSpec} into one final Vector API class with every size a compile-time constant.
 *
 * <p>Structure (BLIS names): per parallel task, loops jc (NC columns) → pc (KC depth) → [pack B] → ic (MC rows)
 * → jr (NR-column micro-panel) → ir (MR-row micro-tile) around a fully unrolled MR × NR register micro-kernel
 * that broadcasts one element of A and FMAs it against NR/LANES vectors of B. Each element of C is computed
 * by one FMA chain in k order, whatever the task split, so results do not depend on the thread count.
 * Rows past M reuse the last valid row (XNNPACK's trick) and are not stored; the last column panel, when N is
 * not a multiple of NR, has its own micro-kernel with a masked last vector.
 */
public final class GemmGenerator {

    private static final Modifier[] CONSTANT = GeneratedClassParts.CONSTANT;

    private final GemmSpec spec;
    private final DType type;
    private final GemmTiling tiling;
    private final TypeName elem;
    private final ArrayTypeName array;
    private final ClassName vector;
    private final int lanes;
    private final int nr;
    private final int fullColumns;
    private final int edgeWidth;
    private final int edgeVectors;
    private final boolean edgeMasked;

    private GemmGenerator(GemmSpec spec) {
        this.spec = spec;
        this.type = spec.elementType();
        this.tiling = spec.tiling();
        this.elem = type == DType.F32 ? TypeName.FLOAT : TypeName.DOUBLE;
        this.array = ArrayTypeName.of(elem);
        this.vector = KernelTypes.vector(type);
        this.lanes = type.lanes(tiling.vectorBits());
        this.nr = tiling.nr(type);
        this.fullColumns = spec.n() / nr * nr;
        this.edgeWidth = spec.n() - fullColumns;
        this.edgeVectors = Math.ceilDiv(edgeWidth, lanes);
        this.edgeMasked = edgeWidth % lanes != 0;
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
                .addSuperinterface(KernelTypes.gemmKernel(type))
                .addJavadoc(classDoc())
                .addFields(constants())
                .addField(GeneratedClassParts.callsField(call))
                .addMethod(GeneratedClassParts.specMethod(KernelTypes.GEMM_SPEC))
                .addMethod(gemmMethod(call))
                .addType(callClass());
        if (tiling.packA()) {
            kernel.addMethod(packA());
        }
        if (tiling.packB()) {
            kernel.addMethod(packB());
        }
        if (fullColumns > 0) {
            kernel.addMethod(microKernel("microKernel", tiling.nrVectors(), false));
        }
        if (edgeWidth > 0) {
            kernel.addMethod(microKernel("microKernelEdge", edgeVectors, edgeMasked));
        }
        return GeneratedClassParts.file(GemmGenerator.class, spec, kernel.build());
    }

    private CodeBlock classDoc() {
        String a = spec.form().transposeA() ? "Aᵀ (A stored K×M)" : "A (M×K)";
        String b = spec.form().transposeB() ? "Bᵀ (B stored N×K)" : "B (K×N)";
        return CodeBlock.builder()
                .add("C (M×N) $L $L · $L$L, $L, for K = $L, N = $L and any M.\n", spec.accumulate() ? "+=" : "=", a, b,
                        spec.bias() ? " + bias (N)" : "", type.primitive(), spec.k(), spec.n())
                .add("<p>Register tile $L × $L ($L vectors of $L lanes); KC = $L, NC = $L, MC = $L; A $L; B $L.\n", tiling.mr(), nr,
                        tiling.nrVectors(), lanes, tiling.kc(), tiling.nc(), tiling.mc(),
                        tiling.packA() ? "packed into micro-panels per MC×KC block" : "read in place",
                        tiling.packB() ? "packed into micro-panels per KC×NC block" : "read in place")
                .build();
    }

    private Iterable<FieldSpec> constants() {
        var fields = new java.util.ArrayList<FieldSpec>();
        fields.add(FieldSpec.builder(KernelTypes.species(type), "S", CONSTANT)
                .initializer("$T.SPECIES_$L", vector, tiling.vectorBits()).build());
        fields.add(GeneratedClassParts.intConstant("LANES", lanes, null));
        fields.add(GeneratedClassParts.intConstant("K", spec.k(), "Depth of the product."));
        fields.add(GeneratedClassParts.intConstant("N", spec.n(), "Columns of C and of op(B)."));
        fields.add(GeneratedClassParts.intConstant("MR", tiling.mr(), "Rows of the register micro-tile."));
        fields.add(GeneratedClassParts.intConstant("NR", nr, "Columns of the register micro-tile."));
        fields.add(GeneratedClassParts.intConstant("KC", tiling.kc(), "Depth of one cache block."));
        fields.add(GeneratedClassParts.intConstant("NC", tiling.nc(), "Columns of one cache block."));
        fields.add(GeneratedClassParts.intConstant("MC", tiling.mc(), "Rows of one cache block."));
        fields.add(GeneratedClassParts.intConstant("COLUMN_PANELS", Math.ceilDiv(spec.n(), nr), "NR-wide micro-panels across N."));
        if (edgeWidth > 0 && fullColumns > 0) {
            fields.add(GeneratedClassParts.intConstant("FULL_COLUMNS", fullColumns, "Columns covered by full micro-panels; the rest go to the edge kernel."));
        }
        if (edgeMasked) {
            fields.add(GeneratedClassParts.intConstant("EDGE_WIDTH", edgeWidth, "Columns of the edge panel."));
            fields.add(GeneratedClassParts.intConstant("EDGE_SPAN", edgeVectors * lanes, "Elements the edge panel's vectors span, past N on the last one."));
            fields.add(GeneratedClassParts.intConstant("EDGE_LANES", edgeWidth % lanes, "Lanes of the last, partial vector of the edge panel."));
            fields.add(FieldSpec.builder(KernelTypes.mask(type), "EDGE_MASK", CONSTANT)
                    .addJavadoc("Lanes of the last vector of the edge panel that lie inside N.\n")
                    .initializer("$T.fromLong(S, (1L << EDGE_LANES) - 1)", ClassName.get("jdk.incubator.vector", "VectorMask"))
                    .build());
        }
        if (tiling.packB() && gathersB()) {
            StringBuilder rows = new StringBuilder("{0");
            for (int l = 1; l < lanes; l++) {
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
        if (edgeMasked) {
            call.addField(FieldSpec.builder(ArrayTypeName.of(array), "edgeTile", Modifier.PRIVATE)
                    .addJavadoc("One buffer per task for an edge tile whose partial vector would reach past the end of C.\n")
                    .initializer("new $T[0][]", elem).build());
            if (spec.bias()) {
                call.addField(FieldSpec.builder(array, "biasPadded", Modifier.PRIVATE, Modifier.FINAL)
                        .addJavadoc("The bias, zero-padded to whole micro-panels so its partial vector is never read past its end.\n")
                        .initializer("new $T[COLUMN_PANELS * NR]", elem).build());
            }
        }
        if (maskedDirectB()) {
            call.addField(FieldSpec.builder(TypeName.BOOLEAN, "lastRowOverflows", Modifier.PRIVATE)
                    .addJavadoc("Whether the partial vector of B's last row would reach past the end of b.\n").build());
            call.addField(FieldSpec.builder(array, "bLastRow", Modifier.PRIVATE, Modifier.FINAL)
                    .addJavadoc("B's last row, zero-padded to whole micro-panels, read in place of it when it would overflow.\n")
                    .initializer("new $T[COLUMN_PANELS * NR]", elem).build());
        }
        if (tiling.packA()) {
            call.addField(FieldSpec.builder(ArrayTypeName.of(array), "packedA", Modifier.PRIVATE)
                    .addJavadoc("One MC × KC packing buffer per task index, grown on first use.\n")
                    .initializer("new $T[0][]", elem).build());
        }
        if (tiling.packB()) {
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
        if (edgeMasked && spec.bias()) {
            bind.addStatement("$T.arraycopy(bias, 0, biasPadded, 0, N)", System.class);
        }
        if (maskedDirectB()) {
            bind.addStatement("lastRowOverflows = bOffset + (K - 1) * N + (COLUMN_PANELS - 1) * NR + EDGE_SPAN > b.length")
                    .beginControlFlow("if (lastRowOverflows)")
                    .addStatement("$T.arraycopy(b, bOffset + (K - 1) * N, bLastRow, 0, N)", System.class)
                    .endControlFlow();
        }
        bind.addStatement("int rowPanels = Math.ceilDiv(m, MR)")
                .addStatement("tasks = $T.tasksFor(2L * m * N * K, rowPanels * COLUMN_PANELS)", KernelTypes.KERNEL_POOL)
                .addStatement("rowTasks = $T.rowTasks(tasks, rowPanels, COLUMN_PANELS)", KernelTypes.TASK_SPLIT)
                .addStatement("columnTasks = tasks / rowTasks");
        for (String packed : packedOperands()) {
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
        call.addMethod(runTask());
        return call.build();
    }

    private MethodSpec runTask() {
        GemmForm form = spec.form();
        CodeBlock.Builder body = CodeBlock.builder()
                .addStatement("int rowTask = task / columnTasks")
                .addStatement("int columnTask = task % columnTasks")
                .addStatement("int rowPanels = Math.ceilDiv(m, MR)")
                .addStatement("int i0 = $T.start(rowPanels, rowTasks, rowTask) * MR", KernelTypes.TASK_SPLIT)
                .addStatement("int i1 = Math.min(m, $T.start(rowPanels, rowTasks, rowTask + 1) * MR)", KernelTypes.TASK_SPLIT)
                .addStatement("int j0 = $T.start(COLUMN_PANELS, columnTasks, columnTask) * NR", KernelTypes.TASK_SPLIT)
                .addStatement("int j1 = Math.min(N, $T.start(COLUMN_PANELS, columnTasks, columnTask + 1) * NR)", KernelTypes.TASK_SPLIT);
        if (tiling.packA()) {
            body.beginControlFlow("if (packedA[task] == null)")
                    .addStatement("packedA[task] = new $T[Math.ceilDiv(MC, MR) * MR * KC]", elem)
                    .endControlFlow()
                    .addStatement("$T aPanels = packedA[task]", array);
        }
        if (edgeMasked) {
            body.beginControlFlow("if (edgeTile[task] == null)")
                    .addStatement("edgeTile[task] = new $T[(MR - 1) * N + EDGE_SPAN]", elem)
                    .endControlFlow();
        }
        if (tiling.packB()) {
            body.beginControlFlow("if (packedB[task] == null)")
                    .addStatement("packedB[task] = new $T[KC * NC]", elem)
                    .endControlFlow()
                    .addStatement("$T bPanels = packedB[task]", array);
        }
        body.beginControlFlow("for (int jc = j0; jc < j1; jc += NC)")
                .addStatement("int nc = Math.min(NC, j1 - jc)")
                .beginControlFlow("for (int pc = 0; pc < K; pc += KC)")
                .addStatement("int kc = Math.min(KC, K - pc)");
        if (firstBlockMatters()) {
            body.add("// The first depth block starts the FMA chain from $L; later ones continue the chain stored in C.\n",
                    startOfChain());
            body.addStatement("boolean firstBlock = pc == 0");
        }
        if (tiling.packB()) {
            body.addStatement("packB(b, bOffset, pc, kc, jc, nc, bPanels)");
        }
        if (maskedDirectB()) {
            body.addStatement("int kSafe = pc + kc == K && lastRowOverflows ? kc - 1 : kc");
        }
        body.beginControlFlow("for (int ic = i0; ic < i1; ic += MC)")
                .addStatement("int mc = Math.min(MC, i1 - ic)");
        if (tiling.packA()) {
            body.addStatement("packA(a, aOffset, $Lic, mc, pc, kc, aPanels)", form.transposeA() ? "m, " : "");
        }
        body.beginControlFlow("for (int jr = jc; jr < jc + nc; jr += NR)");
        if (tiling.packB()) {
            body.addStatement("int bBase = (jr - jc) * kc");
        } else {
            body.addStatement("int bBase = bOffset + pc * N + jr");
        }
        body.beginControlFlow("for (int ir = ic; ir < ic + mc; ir += MR)")
                .addStatement("int rows = Math.min(MR, ic + mc - ir)");
        if (tiling.packA()) {
            body.addStatement("int aBase = (ir - ic) * kc");
        } else if (form.transposeA()) {
            body.addStatement("int aBase = aOffset + pc * m + ir");
        } else {
            body.addStatement("int aBase = aOffset + ir * K + pc");
        }
        body.addStatement("int cBase = cOffset + ir * N + jr");
        String bias = spec.bias() ? (edgeMasked ? ", biasPadded, jr" : ", bias, jr") : "";
        String head = (tiling.packA() ? "aPanels" : "a") + ", aBase, " + (aStrideIsM() ? "m, " : "") + "rows, "
                + (tiling.packB() ? "bPanels" : "b") + ", bBase, ";
        String tail = ", kc" + (firstBlockMatters() ? ", firstBlock" : "") + bias;
        String args = head + "c, cBase" + tail;
        String edgeTail = tail + (maskedDirectB() ? ", kSafe, bLastRow, jr" : "");
        String edgeArgs = head + "c, cBase" + edgeTail;
        if (fullColumns > 0 && edgeWidth > 0) {
            body.beginControlFlow("if (jr < FULL_COLUMNS)")
                    .addStatement("microKernel($L)", args)
                    .nextControlFlow("else");
        }
        if (edgeMasked) {
            body.beginControlFlow("if (cBase + (rows - 1) * N + EDGE_SPAN <= c.length)")
                    .addStatement("microKernelEdge($L)", edgeArgs)
                    .nextControlFlow("else")
                    .add("// The partial vector of the last row would reach past C, which leaves the Vector API's\n")
                    .add("// fast path: run this one tile on a copy with room to spare.\n")
                    .addStatement("$T tile = edgeTile[task]", array)
                    .beginControlFlow("for (int r = 0; r < rows; r++)")
                    .addStatement("$T.arraycopy(c, cBase + r * N, tile, r * N, EDGE_WIDTH)", System.class)
                    .endControlFlow()
                    .addStatement("microKernelEdge($L)", head + "tile, 0" + edgeTail)
                    .beginControlFlow("for (int r = 0; r < rows; r++)")
                    .addStatement("$T.arraycopy(tile, r * N, c, cBase + r * N, EDGE_WIDTH)", System.class)
                    .endControlFlow()
                    .endControlFlow();
        } else if (edgeWidth > 0) {
            body.addStatement("microKernelEdge($L)", args);
        }
        if (fullColumns > 0 && edgeWidth > 0) {
            body.endControlFlow();
        }
        if (edgeWidth == 0) {
            body.addStatement("microKernel($L)", args);
        }
        body.endControlFlow().endControlFlow().endControlFlow().endControlFlow().endControlFlow();
        return MethodSpec.methodBuilder("runTask")
                .addAnnotation(Override.class)
                .addModifiers(Modifier.PUBLIC)
                .addParameter(TypeName.INT, "task")
                .addCode(body.build())
                .build();
    }

    /**
     * Whether packing a transposed B gathers: float only. Double kernels serve gradient checks and copy
     * scalars, because gathers of both element types in one JVM make the JDK's shared gather code see several
     * index species, after which the float kernels' gathers are no longer inlined and allocate.
     */
    private boolean gathersB() {
        return spec.form().transposeB() && spec.elementType() == DType.F32;
    }

    /** Scalar transposed packing of one panel: row j of B (stored N×K) becomes column j, zero past N. */
    private static void transposedColumns(CodeBlock.Builder body) {
        body.beginControlFlow("for (int j = 0; j < NR; j++)")
                .beginControlFlow("if (j < width)")
                .addStatement("int src = bOffset + (jc + jr + j) * K + pc")
                .beginControlFlow("for (int k = 0; k < kc; k++)")
                .addStatement("packed[panel + k * NR + j] = b[src + k]")
                .endControlFlow()
                .nextControlFlow("else")
                .beginControlFlow("for (int k = 0; k < kc; k++)")
                .addStatement("packed[panel + k * NR + j] = 0")
                .endControlFlow()
                .endControlFlow()
                .endControlFlow();
    }

    /** Copies one KC × NC block of op(B) into NR-wide, k-major micro-panels, zero past N. */
    private MethodSpec packB() {
        CodeBlock.Builder body = CodeBlock.builder()
                .beginControlFlow("for (int jr = 0; jr < nc; jr += NR)")
                .addStatement("int width = Math.min(NR, nc - jr)")
                .addStatement("int panel = jr * kc");
        if (spec.form().transposeB() && !gathersB()) {
            body.add("// Each row of B becomes one column of the panel, zero past N.\n");
            transposedColumns(body);
        } else if (spec.form().transposeB()) {
            body.beginControlFlow("if (width == NR)")
                    .add("// B is stored N×K: gather one k from LANES rows of B, K apart, per vector of the panel.\n")
                    .beginControlFlow("for (int k = 0; k < kc; k++)")
                    .addStatement("int src = bOffset + (jc + jr) * K + pc + k")
                    .addStatement("int dst = panel + k * NR");
            for (int v = 0; v < tiling.nrVectors(); v++) {
                body.addStatement("$T.fromArray(S, b, src$L, GATHER_ROWS, 0).intoArray(packed, dst$L)", vector,
                        v == 0 ? "" : " + " + (v == 1 ? "" : v + " * ") + "LANES * K", plusLanes(v));
            }
            body.endControlFlow()
                    .addStatement("continue")
                    .endControlFlow()
                    .add("// The edge panel: each row of B becomes one column of the panel, zero past N.\n");
            transposedColumns(body);
        } else {
            body.beginControlFlow("for (int k = 0; k < kc; k++)")
                    .addStatement("int src = bOffset + (pc + k) * N + jc + jr")
                    .addStatement("int dst = panel + k * NR")
                    .beginControlFlow("if (width == NR)");
            for (int v = 0; v < tiling.nrVectors(); v++) {
                body.addStatement("$T.fromArray(S, b, src$L).intoArray(packed, dst$L)", vector, plusLanes(v), plusLanes(v));
            }
            body.nextControlFlow("else")
                    .addStatement("int whole = width / LANES * LANES")
                    .beginControlFlow("for (int j = 0; j < whole; j += LANES)")
                    .addStatement("$T.fromArray(S, b, src + j).intoArray(packed, dst + j)", vector)
                    .endControlFlow()
                    .beginControlFlow("for (int j = whole; j < NR; j++)")
                    .addStatement("packed[dst + j] = j < width ? b[src + j] : 0")
                    .endControlFlow()
                    .endControlFlow()
                    .endControlFlow();
        }
        body.endControlFlow();
        return MethodSpec.methodBuilder("packB")
                .addModifiers(Modifier.PRIVATE, Modifier.STATIC)
                .addJavadoc("Copies op(B)[pc, pc + kc) × [jc, jc + nc) into NR-wide, k-major micro-panels, zero past N.\n")
                .addParameter(array, "b").addParameter(TypeName.INT, "bOffset")
                .addParameter(TypeName.INT, "pc").addParameter(TypeName.INT, "kc")
                .addParameter(TypeName.INT, "jc").addParameter(TypeName.INT, "nc")
                .addParameter(array, "packed")
                .addCode(body.build())
                .build();
    }

    private String plusLanes(int v) {
        return v == 0 ? "" : v == 1 ? " + LANES" : " + " + v + " * LANES";
    }

    /**
     * The MR × (vectors · LANES) register micro-kernel: C[rows × cols] at cBase gets op(A) rows at aBase times
     * the B panel at bBase over kc steps. Fully unrolled over rows and vectors so every accumulator is a local.
     */
    private MethodSpec microKernel(String name, int vectors, boolean maskLast) {
        int mr = tiling.mr();
        boolean transposeA = spec.form().transposeA();
        MethodSpec.Builder method = MethodSpec.methodBuilder(name)
                .addModifiers(Modifier.PRIVATE, Modifier.STATIC)
                .addJavadoc("C[rows × $L] at cBase $L op(A)[rows × kc] at aBase · B panel at bBase; rows past {@code rows} repeat the last row and are not stored.\n",
                        maskLast ? "EDGE" : vectors + " · LANES", spec.accumulate() ? "+=" : "(+)=")
                .addParameter(array, "a").addParameter(TypeName.INT, "aBase");
        if (aStrideIsM()) {
            method.addParameter(TypeName.INT, "m");
        }
        method.addParameter(TypeName.INT, "rows")
                .addParameter(array, "b").addParameter(TypeName.INT, "bBase")
                .addParameter(array, "c").addParameter(TypeName.INT, "cBase")
                .addParameter(TypeName.INT, "kc");
        if (firstBlockMatters()) {
            method.addParameter(TypeName.BOOLEAN, "firstBlock");
        }
        if (spec.bias()) {
            method.addParameter(array, "bias").addParameter(TypeName.INT, "biasBase");
        }
        if (maskLast && !tiling.packB()) {
            method.addParameter(TypeName.INT, "kSafe").addParameter(array, "bLastRow").addParameter(TypeName.INT, "column");
        }
        CodeBlock.Builder body = CodeBlock.builder().addStatement("int last = rows - 1");
        for (int r = 0; r < mr; r++) {
            if (r == 0) {
                body.addStatement("int a0 = aBase").addStatement("int c0 = cBase");
            } else {
                if (tiling.packA()) {
                    // Packed panels are zero past the last row: no clamping needed.
                    body.addStatement("int a$L = aBase + $L", r, r);
                } else {
                    body.addStatement("int a$L = aBase + Math.min($L, last)$L", r, r, transposeA ? "" : " * K");
                }
                body.addStatement("int c$L = cBase + Math.min($L, last) * N", r, r);
            }
        }
        for (int r = 0; r < mr; r++) {
            StringBuilder decl = new StringBuilder();
            for (int v = 0; v < vectors; v++) {
                decl.append(v == 0 ? "" : ", ").append(acc(r, v));
            }
            body.addStatement("$T $L", vector, decl);
        }
        initialiseAccumulators(body, vectors, maskLast);
        kLoop(body, vectors, maskLast && !tiling.packB());
        for (int r = 0; r < mr; r++) {
            if (r > 0) {
                body.beginControlFlow("if (rows > $L)", r);
            }
            for (int v = 0; v < vectors; v++) {
                boolean masked = maskLast && v == vectors - 1;
                if (masked) {
                    emitEdgeStore(body, acc(r, v), "c", "c" + r + plusLanes(v));
                } else {
                    body.addStatement("$L.intoArray(c, c$L$L)", acc(r, v), r, plusLanes(v));
                }
            }
            if (r > 0) {
                body.endControlFlow();
            }
        }
        return method.addCode(body.build()).build();
    }

    /**
     * The k loop of the micro-kernel: broadcast each row's element of A and FMA it into every B vector. With
     * {@code maskedB} (B read in place, N ending in a partial vector) the partial vector is a masked load, which
     * only the last row of B could push past the end of the array: the caller stops the loop at {@code kSafe}
     * then, and that row's step reads its partial vector from a zero-padded copy, {@code bLastRow}.
     */
    private void kLoop(CodeBlock.Builder body, int vectors, boolean maskedB) {
        body.beginControlFlow("for (int k = 0; k < $L; k++)", maskedB ? "kSafe" : "kc");
        kStep(body, vectors, maskedB ? "masked" : "plain");
        body.endControlFlow();
        if (maskedB) {
            body.beginControlFlow("if (kSafe < kc)")
                    .addStatement("int k = kSafe");
            kStep(body, vectors, "lastRow");
            body.endControlFlow();
        }
    }

    private void kStep(CodeBlock.Builder body, int vectors, String lastVector) {
        boolean transposeA = spec.form().transposeA();
        String aStep = tiling.packA() ? "k * MR" : transposeA ? "k * m" : "k";
        String bStep = tiling.packB() ? "k * NR" : "k * N";
        body.addStatement("int ka = $L", aStep)
                .addStatement("int kb = bBase + $L", bStep);
        for (int v = 0; v < vectors; v++) {
            if (v < vectors - 1 || lastVector.equals("plain")) {
                body.addStatement("$T b$L = $T.fromArray(S, b, kb$L)", vector, v, vector, plusLanes(v));
            } else if (lastVector.equals("masked")) {
                body.addStatement("$T b$L = $T.fromArray(S, b, kb$L, EDGE_MASK)", vector, v, vector, plusLanes(v));
            } else {
                body.addStatement("$T b$L = $T.fromArray(S, bLastRow, column$L)", vector, v, vector, plusLanes(v));
            }
        }
        for (int r = 0; r < tiling.mr(); r++) {
            body.addStatement("$T a$Lk = $T.broadcast(S, a[a$L + ka])", vector, r, vector, r);
            for (int v = 0; v < vectors; v++) {
                body.addStatement("$L = a$Lk.fma(b$L, $L)", acc(r, v), r, v, acc(r, v));
            }
        }
    }

    /** B is read in place and N ends in a partial vector. */
    private boolean maskedDirectB() {
        return edgeMasked && !tiling.packB();
    }

    /** A is read in place with a run-time column stride M (the TN form without packing). */
    private boolean aStrideIsM() {
        return spec.form().transposeA() && !tiling.packA();
    }

    private java.util.List<String> packedOperands() {
        var operands = new java.util.ArrayList<String>();
        if (tiling.packA()) {
            operands.add("packedA");
        }
        if (tiling.packB()) {
            operands.add("packedB");
        }
        if (edgeMasked) {
            operands.add("edgeTile");
        }
        return operands;
    }

    /** Copies one MC × KC block of op(A) into MR-row, k-major micro-panels, zero past the last row. */
    private MethodSpec packA() {
        boolean transposeA = spec.form().transposeA();
        CodeBlock.Builder body = CodeBlock.builder()
                .beginControlFlow("for (int ir = 0; ir < mc; ir += MR)")
                .addStatement("int rows = Math.min(MR, mc - ir)")
                .addStatement("int panel = ir * kc");
        if (transposeA) {
            body.add("// A is stored K×M: each row of it holds one k for consecutive rows of op(A).\n")
                    .beginControlFlow("for (int k = 0; k < kc; k++)")
                    .addStatement("int src = aOffset + (pc + k) * m + ic + ir")
                    .addStatement("int dst = panel + k * MR")
                    .beginControlFlow("for (int r = 0; r < MR; r++)")
                    .addStatement("packed[dst + r] = r < rows ? a[src + r] : 0")
                    .endControlFlow()
                    .endControlFlow();
        } else {
            body.beginControlFlow("for (int r = 0; r < MR; r++)")
                    .beginControlFlow("if (r < rows)")
                    .addStatement("int src = aOffset + (ic + ir + r) * K + pc")
                    .beginControlFlow("for (int k = 0; k < kc; k++)")
                    .addStatement("packed[panel + k * MR + r] = a[src + k]")
                    .endControlFlow()
                    .nextControlFlow("else")
                    .beginControlFlow("for (int k = 0; k < kc; k++)")
                    .addStatement("packed[panel + k * MR + r] = 0")
                    .endControlFlow()
                    .endControlFlow()
                    .endControlFlow();
        }
        body.endControlFlow();
        MethodSpec.Builder method = MethodSpec.methodBuilder("packA")
                .addModifiers(Modifier.PRIVATE, Modifier.STATIC)
                .addJavadoc("Copies op(A)[ic, ic + mc) × [pc, pc + kc) into MR-row, k-major micro-panels, zero past the last row.\n")
                .addParameter(array, "a").addParameter(TypeName.INT, "aOffset");
        if (transposeA) {
            method.addParameter(TypeName.INT, "m");
        }
        return method.addParameter(TypeName.INT, "ic").addParameter(TypeName.INT, "mc")
                .addParameter(TypeName.INT, "pc").addParameter(TypeName.INT, "kc")
                .addParameter(array, "packed")
                .addCode(body.build())
                .build();
    }

    /** Whether the first KC block starts differently from the others (it does unless C simply accumulates). */
    private boolean firstBlockMatters() {
        return !spec.accumulate() || spec.bias();
    }

    private String startOfChain() {
        if (spec.accumulate()) {
            return "C + bias";
        }
        return spec.bias() ? "the bias" : "zero";
    }

    /** Starts each accumulator: C, C + bias, the bias or zero in the first block; C in later blocks. */
    private void initialiseAccumulators(CodeBlock.Builder body, int vectors, boolean maskLast) {
        int mr = tiling.mr();
        if (firstBlockMatters()) {
            body.beginControlFlow("if (firstBlock)");
            for (int v = 0; v < vectors; v++) {
                if (spec.bias()) {
                    body.addStatement("$T bias$L", vector, v);
                    emitLoad(body, "bias" + v, "bias", "biasBase" + plusLanes(v), maskLast && v == vectors - 1);
                } else if (v == 0) {
                    body.addStatement("$T zero = $T.zero(S)", vector, vector);
                }
            }
            for (int r = 0; r < mr; r++) {
                for (int v = 0; v < vectors; v++) {
                    String start = spec.bias() ? "bias" + v : "zero";
                    if (spec.accumulate()) {
                        emitLoad(body, acc(r, v), "c", "c" + r + plusLanes(v), maskLast && v == vectors - 1);
                        body.addStatement("$L = $L.add($L)", acc(r, v), acc(r, v), start);
                    } else {
                        body.addStatement("$L = $L", acc(r, v), start);
                    }
                }
            }
            body.nextControlFlow("else");
        }
        for (int r = 0; r < mr; r++) {
            for (int v = 0; v < vectors; v++) {
                emitLoad(body, acc(r, v), "c", "c" + r + plusLanes(v), maskLast && v == vectors - 1);
            }
        }
        if (firstBlockMatters()) {
            body.endControlFlow();
        }
    }

    private static String acc(int r, int v) {
        return "c" + r + "v" + v;
    }

    /**
     * Emits {@code target = } the vector at {@code index}, masked when it is the partial last one. Callers make
     * sure a masked vector never reaches past its array: a masked access that does leaves the Vector API's
     * fast path (measured: a 128×64×10 product at under 1 GFLOP/s).
     */
    private void emitLoad(CodeBlock.Builder body, String target, String arrayName, String index, boolean masked) {
        body.addStatement("$L = $T.fromArray(S, $L, $L$L)", target, vector, arrayName, index, masked ? ", EDGE_MASK" : "");
    }

    private void emitEdgeStore(CodeBlock.Builder body, String value, String arrayName, String index) {
        body.addStatement("$L.intoArray($L, $L, EDGE_MASK)", value, arrayName, index);
    }
}
