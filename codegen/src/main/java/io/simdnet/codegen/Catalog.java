package io.simdnet.codegen;

import io.simdnet.codegen.gen.KernelGenerator;
import io.simdnet.kernel.spec.KernelSpec;
import io.simdnet.kernel.spec.VectorTarget;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The kernel catalog: one spec per line in the {@link KernelSpec#parse} form; blank lines and text after
 * {@code #} are ignored. Lines that name the same spec (after defaults are filled in) are listed once. A
 * convolution brings the GEMM specs its three passes call, so those are compiled at build time too. Each line
 * is generated for every one of {@link #BUILD_TARGETS}.
 */
public final class Catalog {

    private Catalog() {
    }

    /**
     * The vector targets every catalog line is generated for, unless it names its own: AVX-512 and AVX2, the
     * two most x86 users have. Other targets (128-bit NEON, AVX-512 limited to 256 bits) are generated at run time.
     */
    public static final List<VectorTarget> BUILD_TARGETS = List.of(VectorTarget.AVX512, VectorTarget.AVX2);

    private static List<String> forBuildTargets(String line) {
        if (line.matches(".*\\b(bits|regs)=.*")) {
            return List.of(line);
        }
        return BUILD_TARGETS.stream().map(target -> line + " " + target.key()).toList();
    }

    public static List<KernelSpec> read(Path file) throws IOException {
        List<String> lines = Files.readAllLines(file);
        Map<String, KernelSpec> specs = new LinkedHashMap<>();
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i);
            int hash = line.indexOf('#');
            String text = (hash >= 0 ? line.substring(0, hash) : line).strip();
            if (text.isEmpty()) {
                continue;
            }
            try {
                for (String targeted : forBuildTargets(text)) {
                    KernelSpec spec = KernelSpec.parse(targeted);
                    specs.putIfAbsent(spec.key(), spec);
                    // A convolution's GEMMs come with it; a dense-like one's backward-weights GEMM depends on the batch size.
                    for (KernelSpec sub : KernelGenerator.subKernels(spec)) {
                        specs.putIfAbsent(sub.key(), sub);
                    }
                }
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(file + ":" + (i + 1) + ": " + e.getMessage(), e);
            }
        }
        return new ArrayList<>(specs.values());
    }
}
