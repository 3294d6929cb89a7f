/** The FileSync event-sourced store. */
package dev.filesync.store;
