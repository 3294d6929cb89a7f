/**
 * The {@code filesync} command line: {@code filesync server} runs the FileSync server. Every option
 * also comes from an environment variable ({@code FILESYNC_} and the option name in capitals,
 * dashes as underscores) or from a properties file ({@code --config FILE}, keys are option names
 * without the dashes); a flag wins over the environment, which wins over the file.
 */
package dev.filesync.cli;
