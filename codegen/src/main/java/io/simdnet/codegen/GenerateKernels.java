package io.simdnet.codegen;

import com.palantir.javapoet.JavaFile;
import io.simdnet.codegen.gen.KernelGenerator;
import io.simdnet.codegen.gen.KernelIndexGenerator;
import io.simdnet.kernel.spec.KernelSpec;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/** Build-time entry point: {@code GenerateKernels <catalog file> <output source folder>}. */
public final class GenerateKernels {

    private GenerateKernels() {
    }

    public static void main(String[] args) throws IOException {
        if (args.length != 2) {
            throw new IllegalArgumentException("usage: GenerateKernels <catalog file> <output source folder>, got " + args.length + " arguments");
        }
        Path catalog = Path.of(args[0]);
        Path out = Path.of(args[1]);
        List<KernelSpec> specs = Catalog.read(catalog);
        for (KernelSpec spec : specs) {
            JavaFile file = KernelGenerator.generate(spec);
            file.writeTo(out);
        }
        KernelIndexGenerator.generate(specs).writeTo(out);
        System.out.println("simdnet: generated " + specs.size() + " kernels from " + catalog + " into " + out);
    }
}
