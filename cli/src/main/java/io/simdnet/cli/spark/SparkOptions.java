package io.simdnet.cli.spark;

import io.simdnet.spark.SparkContexts;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.spark.api.java.JavaSparkContext;
import picocli.CommandLine.Option;

/** Where the Spark commands run: {@code --master} and any {@code --conf key=value}, as spark-submit takes them. */
public final class SparkOptions {

    @Option(names = "--master", paramLabel = "URL", description = "Spark master: local[N], local[N,F] (F attempts per task), spark://HOST:7077; "
            + "omit it under spark-submit, which sets its own.")
    String master;

    @Option(names = "--conf", paramLabel = "KEY=VALUE", description = "Spark configuration, e.g. spark.task.cpus=2 (repeatable).")
    Map<String, String> conf = new LinkedHashMap<>();

    JavaSparkContext open(String appName) {
        return SparkContexts.open(appName, master, conf);
    }
}
