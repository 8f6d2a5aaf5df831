package io.simdnet.spark;

import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaSparkContext;

/**
 * The Spark context a command runs on: the given master (local[N], local[N,F], spark://HOST:7077), or the one
 * spark-submit configured when none is given. The web UI is off unless asked for, and shuffles use few
 * partitions: simdnet's jobs shuffle nothing, and the UI costs start-up time and a port.
 */
public final class SparkContexts {

    private SparkContexts() {
    }

    /** A context on {@code master}, executors on other machines loading simdnet from the submit jar ({@link #applicationJar}). */
    public static JavaSparkContext open(String appName, String master, Map<String, String> conf) {
        SparkConf sparkConf = new SparkConf().setAppName(appName).setIfMissing("spark.ui.enabled", "false")
                .setIfMissing("spark.sql.shuffle.partitions", "4").setIfMissing("spark.ui.showConsoleProgress", "false");
        if (master != null) {
            sparkConf.setMaster(master);
        } else if (!sparkConf.contains("spark.master")) {
            throw new IllegalArgumentException("no Spark master: give --master local[2] (or spark://HOST:7077), or run through spark-submit --master");
        }
        conf.forEach(sparkConf::set);
        String effectiveMaster = sparkConf.get("spark.master", "local");
        if (!effectiveMaster.startsWith("local") && !sparkConf.contains("spark.jars")) {
            applicationJar().ifPresent(jar -> sparkConf.set("spark.jars", jar.toUri().toString()));
        }
        return new JavaSparkContext(sparkConf);
    }

    /**
     * The jar executors on other machines load simdnet from when bin/simdnet is the driver: the submit jar in the
     * folder above the launcher's lib/ (cli/target/simdnet-spark-submit.jar beside cli/target/lib/simdnet-spark-*.jar),
     * or beside this jar (spark-submit sets spark.jars itself).
     */
    static Optional<Path> applicationJar() {
        try {
            Path self = Path.of(SparkContexts.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            for (Path dir = self.getParent(); dir != null && dir.getNameCount() >= self.getNameCount() - 2; dir = dir.getParent()) {
                Path submit = dir.resolve("simdnet-spark-submit.jar");
                if (Files.isRegularFile(submit)) {
                    return Optional.of(submit);
                }
            }
            return Optional.empty();
        } catch (URISyntaxException | SecurityException | NullPointerException e) {
            return Optional.empty();
        }
    }

    /** Threads each task may use: {@code spark.task.cpus} (Spark's default 1). */
    public static int taskCpus(JavaSparkContext sc) {
        return sc.getConf().getInt("spark.task.cpus", 1);
    }
}
