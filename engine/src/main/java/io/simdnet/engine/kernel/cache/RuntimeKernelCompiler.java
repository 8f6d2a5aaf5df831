package io.simdnet.engine.kernel.cache;

import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.OutputStream;
import java.net.URI;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import javax.tools.Diagnostic;
import javax.tools.DiagnosticCollector;
import javax.tools.FileObject;
import javax.tools.ForwardingJavaFileManager;
import javax.tools.JavaCompiler;
import javax.tools.JavaFileObject;
import javax.tools.SimpleJavaFileObject;
import javax.tools.StandardJavaFileManager;
import javax.tools.ToolProvider;

/** Compiles generated sources in memory with javax.tools, against the class path this engine runs from. */
public final class RuntimeKernelCompiler {

    /** Thrown when no compiler is available or the source does not compile; the registry falls back to generic. */
    public static final class CompilationException extends Exception {
        @java.io.Serial
        private static final long serialVersionUID = 1L;

        CompilationException(String message) {
            super(message);
        }
    }

    private RuntimeKernelCompiler() {
    }

    /** @return binary class name → class file bytes, for the top-level class and its nested classes */
    public static Map<String, byte[]> compile(String qualifiedName, String source) throws CompilationException {
        return compileAll(Map.of(qualifiedName, source));
    }

    /**
     * Compiles several sources in one javac task (the autotuner's candidates: one task costs far less than one
     * per source, javac's start-up being most of a small kernel's compile time).
     *
     * @param sources qualified class name → source
     * @return binary class name → class file bytes, for every top-level class and its nested classes
     */
    public static Map<String, byte[]> compileAll(Map<String, String> sources) throws CompilationException {
        JavaCompiler compiler = ToolProvider.getSystemJavaCompiler();
        if (compiler == null) {
            throw new CompilationException("no Java compiler in this runtime (a JRE without jdk.compiler?)");
        }
        DiagnosticCollector<JavaFileObject> diagnostics = new DiagnosticCollector<>();
        Map<String, ByteArrayOutputStream> outputs = new HashMap<>();
        try (StandardJavaFileManager standard = compiler.getStandardFileManager(diagnostics, null, null)) {
            var memory = new ForwardingJavaFileManager<StandardJavaFileManager>(standard) {
                @Override
                public JavaFileObject getJavaFileForOutput(Location location, String className, JavaFileObject.Kind kind, FileObject sibling) {
                    return new SimpleJavaFileObject(URI.create("mem:///" + className.replace('.', '/') + kind.extension), kind) {
                        @Override
                        public OutputStream openOutputStream() {
                            return outputs.computeIfAbsent(className, n -> new ByteArrayOutputStream());
                        }
                    };
                }
            };
            List<JavaFileObject> units = new ArrayList<>();
            sources.forEach((qualifiedName, source) -> units.add(new SimpleJavaFileObject(
                    URI.create("string:///" + qualifiedName.replace('.', '/') + JavaFileObject.Kind.SOURCE.extension), JavaFileObject.Kind.SOURCE) {
                @Override
                public CharSequence getCharContent(boolean ignoreEncodingErrors) {
                    return source;
                }
            }));
            List<String> options = new ArrayList<>(List.of(
                    "-proc:none", "-nowarn", "-XDsuppressNotes", "--add-modules", "jdk.incubator.vector",
                    "-classpath", classPath()));
            Boolean ok = compiler.getTask(null, memory, diagnostics, options, null, units).call();
            if (!ok) {
                StringBuilder message = new StringBuilder("javac failed for " + String.join(", ", sources.keySet()) + ":");
                for (Diagnostic<? extends JavaFileObject> d : diagnostics.getDiagnostics()) {
                    if (d.getKind() == Diagnostic.Kind.ERROR) {
                        message.append("\n  ").append(d.getSource() == null ? "" : d.getSource().getName() + " ").append("line ").append(d.getLineNumber()).append(": ").append(d.getMessage(null));
                    }
                }
                throw new CompilationException(message.toString());
            }
        } catch (java.io.IOException e) {
            throw new CompilationException("javac file manager failed: " + e);
        }
        Map<String, byte[]> classes = new HashMap<>();
        outputs.forEach((name, bytes) -> classes.put(name, bytes.toByteArray()));
        return classes;
    }

    /** The class path plus the jar or folder this engine was loaded from (class paths of test runners may omit it). */
    private static String classPath() {
        String path = System.getProperty("java.class.path", "");
        try {
            var location = RuntimeKernelCompiler.class.getProtectionDomain().getCodeSource();
            if (location != null) {
                String own = new File(location.getLocation().toURI()).getPath();
                path = path.isEmpty() ? own : own + File.pathSeparator + path;
            }
            var codegen = io.simdnet.kernel.spec.GemmSpec.class.getProtectionDomain().getCodeSource();
            if (codegen != null) {
                path = new File(codegen.getLocation().toURI()).getPath() + File.pathSeparator + path;
            }
        } catch (java.net.URISyntaxException | SecurityException e) {
            // fall back to java.class.path alone
        }
        return path;
    }
}
