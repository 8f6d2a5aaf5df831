package io.simdnet.engine.kernel.tuning;

import io.simdnet.codegen.gen.GeneratorVersion;
import java.util.Locale;

/**
 * What a tuning measurement depends on: the CPU (model and family), the vector width kernels run at, the
 * kernel threads, the JDK feature release (C2 changes) and the generator version (the code measured). A
 * record made under another profile is not used. This process's profile is the machine profile's
 * {@code tuningProfile()}, which the registry hands tuning ({@link TuningHost#profile}).
 */
public record TuningProfile(String cpuModel, String cpuFamily, int vectorBits, int threads, int jdkFeature, int generatorVersion) {

    /** The folder records of this profile are kept in: readable, and distinct for distinct profiles. */
    public String folderName() {
        String model = cpuModel.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]+", "-").replaceAll("^-|-$", "");
        return "family" + cpuFamily + "-" + model + "-" + vectorBits + "bit-" + threads + "threads-java" + jdkFeature + "-g" + generatorVersion;
    }

    /**
     * Whether a record shipped for {@code shipped} serves on this profile: the same CPU family, width, threads and
     * JDK (CPU models of one family share their cores, so the model may differ), made by this generator or by an
     * older one whose records still rank the variants alike ({@link GeneratorVersion#TUNING_COMPATIBLE_SINCE}).
     */
    public boolean sharesFamily(TuningProfile shipped) {
        return cpuFamily.equals(shipped.cpuFamily) && vectorBits == shipped.vectorBits && threads == shipped.threads
                && jdkFeature == shipped.jdkFeature && shipped.generatorVersion <= generatorVersion
                && shipped.generatorVersion >= GeneratorVersion.TUNING_COMPATIBLE_SINCE;
    }

    @Override
    public String toString() {
        return cpuModel + " (family " + cpuFamily + "), " + vectorBits + "-bit vectors, " + threads + " threads, Java " + jdkFeature + ", generator "
                + generatorVersion;
    }
}
