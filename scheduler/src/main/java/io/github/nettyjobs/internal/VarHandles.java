package io.github.nettyjobs.internal;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * Finds the {@link VarHandle} of a field for a class's static initializer, so that a class
 * publishing a field with release stores needs one line instead of a static block. Not an API;
 * any thread.
 */
public final class VarHandles {

    private VarHandles() {
    }

    /**
     * Returns the handle of the field {@code name} of type {@code type} declared by the lookup's
     * class; pass {@code MethodHandles.lookup()}, which grants access to private fields.
     *
     * @param lookup the caller's lookup; its lookup class declares the field
     * @param name   the field's name
     * @param type   the field's type
     * @return the field's handle
     * @throws ExceptionInInitializerError if there is no such field: a bug of the caller, found
     *         when its class is initialized
     */
    public static VarHandle find(MethodHandles.Lookup lookup, String name, Class<?> type) {
        try {
            return lookup.findVarHandle(lookup.lookupClass(), name, type);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }
}
