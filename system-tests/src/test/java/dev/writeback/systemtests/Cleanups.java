package dev.writeback.systemtests;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Comparator;
import java.util.Deque;
import java.util.stream.Stream;

/**
 * What a test registered to undo in a real directory (entries it created, passwords to put back, layers to
 * close), run after the test whether it passed or not, last registered first; every undo runs even when an
 * earlier one throws, and the first failure is rethrown with the others suppressed.
 */
public final class Cleanups {
    private final Deque<AutoCloseable> undo = new ArrayDeque<>();

    public void push(AutoCloseable action) {
        undo.push(action);
    }

    public void runAll() throws Exception {
        Exception first = null;
        while (!undo.isEmpty()) {
            try {
                undo.pop().close();
            } catch (Exception e) {
                if (first == null) {
                    first = e;
                } else {
                    first.addSuppressed(e);
                }
            }
        }
        if (first != null) {
            throw first;
        }
    }

    /** Deletes a directory tree (a test's state directory); nothing when {@code root} is null. */
    public static void deleteTree(Path root) throws IOException {
        if (root == null) {
            return;
        }
        try (Stream<Path> files = Files.walk(root)) {
            for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }
}
