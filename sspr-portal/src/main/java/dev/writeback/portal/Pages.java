package dev.writeback.portal;

import io.pebbletemplates.pebble.PebbleEngine;
import io.pebbletemplates.pebble.extension.AbstractExtension;
import io.pebbletemplates.pebble.extension.Function;
import io.pebbletemplates.pebble.loader.ClasspathLoader;
import io.pebbletemplates.pebble.template.EvaluationContext;
import io.pebbletemplates.pebble.template.PebbleTemplate;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Renders the portal's pages from Pebble templates ({@code portal/templates/*.peb}), one per page and a shared
 * layout. Pebble escapes every printed value for HTML by default; texts come from {@link Messages} through the
 * template function {@code t(key, args...)}.
 */
final class Pages {
    private final PebbleEngine engine;

    Pages() {
        var loader = new ClasspathLoader(Pages.class.getClassLoader());
        loader.setPrefix("portal/templates");
        loader.setSuffix(".peb");
        this.engine = new PebbleEngine.Builder()
                .loader(loader)
                .autoEscaping(true)
                .strictVariables(false)
                .extension(new TextExtension())
                .build();
    }

    /** Renders {@code template} in {@code locale} with {@code model}. */
    String render(String template, Locale locale, Map<String, Object> model) {
        var out = new StringWriter();
        try {
            engine.getTemplate(template).evaluate(out, model, locale);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toString();
    }

    /** {@code t(key, a, b, c)}: a text of {@link Messages} in the page's locale. */
    private static final class TextExtension extends AbstractExtension {
        @Override
        public Map<String, Function> getFunctions() {
            return Map.of("t", new Function() {
                @Override
                public List<String> getArgumentNames() {
                    return List.of("key", "a", "b", "c");
                }

                @Override
                public Object execute(Map<String, Object> args, PebbleTemplate self, EvaluationContext context,
                                      int lineNumber) {
                    var values = new ArrayList<Object>();
                    for (String name : List.of("a", "b", "c")) {
                        if (args.get(name) != null) {
                            values.add(args.get(name));
                        }
                    }
                    return Messages.get(context.getLocale(), String.valueOf(args.get("key")), values.toArray());
                }
            });
        }
    }
}
