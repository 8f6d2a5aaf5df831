package io.simdnet.engine.kernel;

import io.simdnet.codegen.gen.GeneratorVersion;
import io.simdnet.engine.kernel.tuning.TuningProfile;
import io.simdnet.kernel.KernelPool;
import io.simdnet.kernel.spec.VectorTarget;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The machine the engine runs on, detected once: the CPU (model, family, the widest vectors it supports),
 * the vector target the JVM runs kernels at (see {@link VectorTarget#host()}), the cores and the caches. Kernels
 * are generated for {@link #target()}; the rest is reported by {@code bin/simdnet info} and recorded in every
 * run's {@code metrics.json}.
 *
 * <p>Cache sizes come from {@code /sys/devices/system/cpu/cpu0/cache} on Linux; where the OS does not tell,
 * they default to {@link #DEFAULT_L1D_BYTES}, {@link #DEFAULT_L2_BYTES} and {@link #DEFAULT_L3_BYTES}, the
 * per-core L1 and L2 and the shared L3 of the Zen 4/5 machines the defaults were measured on.
 *
 * @param cpuModel the CPU's model name, or "unknown"
 * @param cpuFamily the {@code cpu family} of /proc/cpuinfo (25 = Zen 4, 26 = Zen 5), or "unknown"
 * @param target the vector width and register budget kernels are generated for
 * @param cpuVectorBits the widest vectors the CPU supports (512 with AVX-512, 256 with AVX2, 128 otherwise)
 * @param cores processors available to the JVM
 */
public record MachineProfile(String cpuModel, String cpuFamily, VectorTarget target, int cpuVectorBits, int cores, long l1dBytes,
        long l2Bytes, long l3Bytes, String jdk) {

    public static final long DEFAULT_L1D_BYTES = 32L << 10;
    public static final long DEFAULT_L2_BYTES = 1L << 20;
    public static final long DEFAULT_L3_BYTES = 32L << 20;

    private static final Path CPUINFO = Path.of("/proc/cpuinfo");
    private static final Path CACHES = Path.of("/sys/devices/system/cpu/cpu0/cache");

    /** This machine's profile. */
    public static MachineProfile current() {
        return Detected.PROFILE;
    }

    private static final class Detected {
        static final MachineProfile PROFILE = detect(CPUINFO, CACHES);
    }

    /** The profile read from {@code cpuinfo} (the form of /proc/cpuinfo) and {@code caches} (that of cpu0's sysfs cache folder). */
    static MachineProfile detect(Path cpuinfo, Path caches) {
        Map<String, String> cpu = cpuInfo(cpuinfo);
        String flags = " " + cpu.getOrDefault("flags", cpu.getOrDefault("Features", "")) + " ";
        int cpuBits = flags.contains(" avx512f ") ? 512 : flags.contains(" avx2 ") ? 256 : 128;
        long[] sizes = cacheSizes(caches);
        return new MachineProfile(cpu.getOrDefault("model name", "unknown"), cpu.getOrDefault("cpu family", "unknown"), VectorTarget.host(),
                cpuBits, Runtime.getRuntime().availableProcessors(), sizes[0], sizes[1], sizes[2], Runtime.version().toString());
    }

    /** The first processor's lines of /proc/cpuinfo, key → value; empty where there is no such file. */
    private static Map<String, String> cpuInfo(Path file) {
        Map<String, String> values = new LinkedHashMap<>();
        try {
            for (String line : Files.readAllLines(file)) {
                if (line.isBlank() && !values.isEmpty()) {
                    break;
                }
                int colon = line.indexOf(':');
                if (colon > 0) {
                    values.putIfAbsent(line.substring(0, colon).strip(), line.substring(colon + 1).strip());
                }
            }
        } catch (IOException | RuntimeException e) {
            // Not Linux, or not readable: the defaults stand.
        }
        return values;
    }

    /** L1 data, L2 and L3 sizes in bytes, each its documented default where the OS does not say. */
    private static long[] cacheSizes(Path folder) {
        long[] sizes = {DEFAULT_L1D_BYTES, DEFAULT_L2_BYTES, DEFAULT_L3_BYTES};
        try (var folders = Files.list(folder)) {
            for (Path index : folders.filter(p -> p.getFileName().toString().startsWith("index")).toList()) {
                int level = Integer.parseInt(read(index.resolve("level")));
                String type = read(index.resolve("type"));
                long size = parseSize(read(index.resolve("size")));
                if (level == 1 && type.equals("Data")) {
                    sizes[0] = size;
                } else if (level == 2 || level == 3) {
                    sizes[level - 1] = size;
                }
            }
        } catch (IOException | RuntimeException e) {
            // Not Linux, or not readable: the defaults stand.
        }
        return sizes;
    }

    private static String read(Path file) throws IOException {
        return Files.readString(file).strip();
    }

    /** {@code 32K}, {@code 1024K}, {@code 32M}: the form of the sysfs size files. */
    static long parseSize(String text) {
        String t = text.strip().toUpperCase(Locale.ROOT);
        long unit = t.endsWith("K") ? 1L << 10 : t.endsWith("M") ? 1L << 20 : t.endsWith("G") ? 1L << 30 : 1;
        String digits = unit == 1 ? t : t.substring(0, t.length() - 1);
        return Long.parseLong(digits) * unit;
    }

    /**
     * One line when the JVM runs narrower vectors than the CPU has (HotSpot picks {@code UseAVX=2} on some
     * AVX-512 CPUs, and {@code -XX:MaxVectorSize} or {@code -Dsimdnet.vectorBits} may limit it), else null.
     */
    public String narrowerWidthWarning() {
        if (target.bits() >= cpuVectorBits) {
            return null;
        }
        return "warning: the CPU supports " + cpuVectorBits + "-bit vectors but kernels run at " + target.bits()
                + " bits (check -XX:UseAVX, -XX:MaxVectorSize and -Dsimdnet.vectorBits)";
    }

    /** What tuning records made now are tied to: this CPU and width, the kernel pool's current threads, this JDK and generator. */
    public TuningProfile tuningProfile() {
        return new TuningProfile(cpuModel, cpuFamily, target.bits(), KernelPool.threads(), Runtime.version().feature(), GeneratorVersion.VERSION);
    }

    /** The profile as JSON-ready values, for run folders' metrics.json. */
    public Map<String, Object> toMap() {
        Map<String, Object> map = new LinkedHashMap<>();
        map.put("cpu_model", cpuModel);
        map.put("cpu_family", cpuFamily);
        map.put("vector_bits", target.bits());
        map.put("vector_registers", target.registers());
        map.put("cpu_vector_bits", cpuVectorBits);
        map.put("cores", cores);
        map.put("l1d_bytes", l1dBytes);
        map.put("l2_bytes", l2Bytes);
        map.put("l3_bytes", l3Bytes);
        map.put("jdk", jdk);
        return map;
    }

    /** Lines for a person, as {@code bin/simdnet info} prints them. */
    public List<String> describe() {
        return List.of(
                "CPU            " + cpuModel + " (family " + cpuFamily + ")",
                "vectors        " + target.bits() + " bits used by the JVM, " + cpuVectorBits + " supported by the CPU; " + target.registers()
                        + " vector registers",
                "cores          " + cores,
                "caches         L1d " + human(l1dBytes) + ", L2 " + human(l2Bytes) + ", L3 " + human(l3Bytes),
                "JDK            " + jdk);
    }

    static String human(long bytes) {
        if (bytes >= 1L << 30 && bytes % (1L << 30) == 0) {
            return (bytes >> 30) + " GiB";
        }
        if (bytes >= 1L << 20 && bytes % (1L << 20) == 0) {
            return (bytes >> 20) + " MiB";
        }
        if (bytes >= 1L << 10) {
            return String.format(Locale.ROOT, "%.1f KiB", bytes / 1024.0).replace(".0 KiB", " KiB");
        }
        return bytes + " B";
    }
}
