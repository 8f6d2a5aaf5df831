package io.simdnet.codegen;

import io.simdnet.kernel.spec.KernelSpec;
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
 * convolution brings the GEMM specs its three passes call, so those are compiled at build time too.
 */
public final class Catalog {

    private Catalog() {
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
                KernelSpec spec = KernelSpec.parse(text);
                specs.putIfAbsent(spec.key(), spec);
                // A convolution's GEMMs come with it; a dense-like one's backward-weights GEMM depends on the batch size.
                for (KernelSpec sub : spec.subKernels()) {
                    specs.putIfAbsent(sub.key(), sub);
                }
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(file + ":" + (i + 1) + ": " + e.getMessage(), e);
            }
        }
        return new ArrayList<>(specs.values());
    }
}
