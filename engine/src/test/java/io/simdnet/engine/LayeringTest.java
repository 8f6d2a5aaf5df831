package io.simdnet.engine;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

/**
 * Which package may depend on which, so nothing runs back up the layers: spec → generator → generated kernel →
 * registry → layer → model → trainer, and the front ends (cli, spark) above them all. Read from the main classes of
 * kernel-api, codegen and the engine (the generated kernels included), as compiled.
 */
class LayeringTest {

    private static final JavaClasses MAIN = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("io.simdnet");

    @Test
    void theKernelApiAndTheGeneratedKernelsDependOnNoGeneratorAndNoEngine() {
        noClasses().that().resideInAPackage("io.simdnet.kernel..")
                .should().dependOnClassesThat().resideInAnyPackage("io.simdnet.codegen..", "io.simdnet.engine..")
                .check(MAIN);
    }

    @Test
    void theGeneratorsDependOnNoEngine() {
        noClasses().that().resideInAPackage("io.simdnet.codegen..")
                .should().dependOnClassesThat().resideInAPackage("io.simdnet.engine..")
                .check(MAIN);
    }

    @Test
    void theCacheAndTheGenericKernelsKnowNothingElseOfTheKernelRuntime() {
        noClasses().that().resideInAnyPackage("io.simdnet.engine.kernel.cache..", "io.simdnet.engine.kernel.generic..")
                .should().dependOnClassesThat().resideInAnyPackage("io.simdnet.engine.kernel", "io.simdnet.engine.kernel.tuning..")
                .check(MAIN);
        noClasses().that().resideInAPackage("io.simdnet.engine.kernel.cache..")
                .should().dependOnClassesThat().resideInAPackage("io.simdnet.engine.kernel.generic..")
                .check(MAIN);
        noClasses().that().resideInAPackage("io.simdnet.engine.kernel.generic..")
                .should().dependOnClassesThat().resideInAPackage("io.simdnet.engine.kernel.cache..")
                .check(MAIN);
    }

    @Test
    void tuningReachesTheRegistryOnlyThroughTheInterfaceItDeclares() {
        noClasses().that().resideInAPackage("io.simdnet.engine.kernel.tuning..")
                .should().dependOnClassesThat().resideInAnyPackage("io.simdnet.engine.kernel", "io.simdnet.engine.kernel.cache..",
                        "io.simdnet.engine.kernel.generic..")
                .check(MAIN);
    }

    @Test
    void tensorsAndKernelsDependOnNoLayerModelOrTrainer() {
        noClasses().that().resideInAnyPackage("io.simdnet.engine.tensor..", "io.simdnet.engine.kernel..")
                .should().dependOnClassesThat().resideInAnyPackage("io.simdnet.engine.layer..", "io.simdnet.engine.model..",
                        "io.simdnet.engine.train..")
                .check(MAIN);
    }

    @Test
    void layersDependOnNoModelOrTrainer() {
        noClasses().that().resideInAPackage("io.simdnet.engine.layer..")
                .should().dependOnClassesThat().resideInAnyPackage("io.simdnet.engine.model..", "io.simdnet.engine.train..")
                .check(MAIN);
    }

    @Test
    void modelsDependOnNoTrainer() {
        noClasses().that().resideInAPackage("io.simdnet.engine.model..")
                .should().dependOnClassesThat().resideInAPackage("io.simdnet.engine.train..")
                .check(MAIN);
    }

    @Test
    void theProfilerDependsOnNoLayerModelOrTrainer() {
        // The ops, the models and the trainer all report to it, so it must stand below them.
        noClasses().that().resideInAPackage("io.simdnet.engine.profile..")
                .should().dependOnClassesThat().resideInAnyPackage("io.simdnet.engine.layer..", "io.simdnet.engine.model..",
                        "io.simdnet.engine.train..", "io.simdnet.engine.ops..")
                .check(MAIN);
    }

    @Test
    void theEngineDependsOnNoFrontEnd() {
        noClasses().that().resideInAnyPackage("io.simdnet.kernel..", "io.simdnet.codegen..", "io.simdnet.engine..")
                .should().dependOnClassesThat().resideInAnyPackage("io.simdnet.cli..", "io.simdnet.spark..")
                .check(MAIN);
    }
}
