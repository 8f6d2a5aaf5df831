package io.simdnet.kernel.spec;

import java.util.Locale;

/**
 * The vector hardware a kernel is generated for: the vector width and the number of vector registers. Both
 * are part of every spec's key and class name, so a kernel tiled for 32 AVX-512 registers is never served on
 * a 16-register AVX2 machine, nor a 512-bit one where the JVM cannot map it to hardware.
 *
 * <p>{@link #host()} is the target of this JVM: the width of the JVM's preferred vector species (which
 * follows {@code -XX:UseAVX} and {@code -XX:MaxVectorSize}), or {@code -Dsimdnet.vectorBits=128|256|512}, and
 * the register count of the ISA (32 for AVX-512, NEON and SVE; 16 for AVX2 and AVX).
 *
 * @param bits vector width: 128, 256 or 512
 * @param registers architectural vector registers: 16 or 32
 */
public record VectorTarget(int bits, int registers) {

    /** AVX-512: 512-bit vectors, 32 registers. */
    public static final VectorTarget AVX512 = new VectorTarget(512, 32);
    /** AVX2: 256-bit vectors, 16 registers. */
    public static final VectorTarget AVX2 = new VectorTarget(256, 16);

    public VectorTarget {
        if (bits != 128 && bits != 256 && bits != 512) {
            throw new IllegalArgumentException("vector target: " + bits + " bits, expected 128, 256 or 512");
        }
        if (registers != 16 && registers != 32) {
            throw new IllegalArgumentException("vector target: " + registers + " vector registers, expected 16 or 32");
        }
    }

    /** The target of this JVM, detected once (see the class comment). */
    public static VectorTarget host() {
        return HostTarget.TARGET;
    }

    /** {@code bits=256 regs=16}: the words of a spec key. */
    public String key() {
        return "bits=" + bits + " regs=" + registers;
    }

    /** {@code V256R16}: the part of a class name. */
    public String classNameSuffix() {
        return "V" + bits + "R" + registers;
    }

    @Override
    public String toString() {
        return bits + "-bit vectors, " + registers + " registers";
    }

    /** Reads {@code bits} and {@code regs} from a spec's options, each defaulting to the host's. */
    static VectorTarget parse(SpecOptions options) {
        Integer bits = options.optionalInteger("bits");
        Integer registers = options.optionalInteger("regs");
        if (bits == null || registers == null) {
            VectorTarget host = host();
            return new VectorTarget(bits == null ? host.bits : bits, registers == null ? host.registers : registers);
        }
        return new VectorTarget(bits, registers);
    }

    /** The detection, in a holder so that a JVM that never asks (the build's code generator) never loads the Vector API. */
    private static final class HostTarget {

        static final VectorTarget TARGET = detect();

        private static VectorTarget detect() {
            int preferred = jdk.incubator.vector.FloatVector.SPECIES_PREFERRED.vectorBitSize();
            String configured = System.getProperty("simdnet.vectorBits");
            int bits = preferred;
            if (configured != null) {
                try {
                    bits = Integer.parseInt(configured.strip());
                } catch (NumberFormatException e) {
                    throw new IllegalArgumentException("-Dsimdnet.vectorBits='" + configured + "': expected 128, 256 or 512");
                }
                if (bits != 128 && bits != 256 && bits != 512) {
                    throw new IllegalArgumentException("-Dsimdnet.vectorBits=" + bits + ": expected 128, 256 or 512");
                }
                if (bits > preferred) {
                    throw new IllegalArgumentException("-Dsimdnet.vectorBits=" + bits + ": this JVM runs vectors of at most " + preferred
                            + " bits in hardware (see -XX:UseAVX and -XX:MaxVectorSize); choose " + preferred + " or less");
                }
            }
            return new VectorTarget(bits, registersOfThisCpu());
        }

        /** 32 on AArch64 and with AVX-512 enabled in the JVM (UseAVX=3), else 16. */
        private static int registersOfThisCpu() {
            String arch = System.getProperty("os.arch", "").toLowerCase(Locale.ROOT);
            if (arch.contains("aarch64") || arch.contains("arm") || arch.contains("riscv")) {
                return 32;
            }
            try {
                var bean = java.lang.management.ManagementFactory.getPlatformMXBean(com.sun.management.HotSpotDiagnosticMXBean.class);
                return Integer.parseInt(bean.getVMOption("UseAVX").getValue()) >= 3 ? 32 : 16;
            } catch (RuntimeException | LinkageError e) {
                // Not HotSpot: assume the smaller register file, whose tiles fit either.
                return 16;
            }
        }
    }
}
