using MlOps.Diagnostics;
using Xunit;

namespace MlOps.Core.Tests;

/// <summary>Keeps what the engine reports, for assertions: verbose messages, warnings and progress records, in order.</summary>
public sealed class RecordingReporter : IOperationReporter
{
    private readonly int? _thread;

    /// <param name="callerThreadOnly">Fail when a report arrives on another thread than the one that made the reporter.</param>
    public RecordingReporter(bool callerThreadOnly = false) => _thread = callerThreadOnly ? Environment.CurrentManagedThreadId : null;

    public List<string> Messages { get; } = new();

    public List<string> Warnings { get; } = new();

    public List<OperationProgress> Progress { get; } = new();

    void IOperationReporter.Verbose(string message) => Checked(Messages).Add(message);

    void IOperationReporter.Warning(string message) => Checked(Warnings).Add(message);

    void IOperationReporter.Progress(OperationProgress progress) => Checked(Progress).Add(progress);

    private T Checked<T>(T list)
    {
        if (_thread is int thread)
        {
            Assert.Equal(thread, Environment.CurrentManagedThreadId);
        }

        return list;
    }
}
