package io.simdnet.kernel.spec;

import java.util.Map;

/** The key=value words of a spec string, read once each, with errors that quote the whole spec. */
final class SpecOptions {

    private final String kind;
    private final String text;
    private final Map<String, String> options;

    private SpecOptions(String kind, String text, Map<String, String> options) {
        this.kind = kind;
        this.text = text;
        this.options = options;
    }

    /** The key=value words of {@code words} from index {@code from} on; each key at most once. */
    static SpecOptions of(String kind, String text, String[] words, int from) {
        Map<String, String> options = new java.util.LinkedHashMap<>();
        for (int i = from; i < words.length; i++) {
            int eq = words[i].indexOf('=');
            if (eq <= 0) {
                throw new IllegalArgumentException(kind + " spec '" + text + "': '" + words[i] + "' is not key=value");
            }
            if (options.put(words[i].substring(0, eq), words[i].substring(eq + 1)) != null) {
                throw new IllegalArgumentException(kind + " spec '" + text + "': key '" + words[i].substring(0, eq) + "' given twice");
            }
        }
        return new SpecOptions(kind, text, options);
    }

    int integer(String key, Integer fallback) {
        String value = options.remove(key);
        if (value == null) {
            if (fallback == null) {
                throw new IllegalArgumentException(kind + " spec '" + text + "': missing " + key + "=<int>");
            }
            return fallback;
        }
        try {
            return Integer.parseInt(value);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(kind + " spec '" + text + "': " + key + "='" + value + "' is not an integer");
        }
    }

    /** The integer for {@code key}, or null when the spec leaves it out. */
    Integer optionalInteger(String key) {
        return options.containsKey(key) ? integer(key, null) : null;
    }

    boolean bool(String key, boolean fallback) {
        String value = options.remove(key);
        if (value == null) {
            return fallback;
        }
        return switch (value) {
            case "true" -> true;
            case "false" -> false;
            default -> throw new IllegalArgumentException(kind + " spec '" + text + "': " + key + "='" + value + "', expected true or false");
        };
    }

    String string(String key, String fallback) {
        String value = options.remove(key);
        return value == null ? fallback : value;
    }

    void requireAllUsed(String known) {
        if (!options.isEmpty()) {
            throw new IllegalArgumentException(kind + " spec '" + text + "': unknown keys " + options.keySet() + "; known: " + known);
        }
    }
}
