package io.simdnet.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;

class InfoCommandTest {

    @Test
    void infoPrintsTheProfileAndTheKernelCache() {
        StringWriter out = new StringWriter();
        var cli = Main.commandLine();
        cli.setOut(new PrintWriter(out));
        assertEquals(0, cli.execute("info"));
        String text = out.toString();
        for (String line : new String[] {"CPU ", "vectors ", "cores ", "caches ", "JDK ", "kernel cache ", "tuning "}) {
            assertTrue(text.contains(line), "missing '" + line + "' in:\n" + text);
        }
    }
}
