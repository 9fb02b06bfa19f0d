using System.Runtime.InteropServices;

namespace StaticConvNet.Training;

/// <summary>Ctrl-C (SIGINT) and SIGTERM while a run trains: the first asks the run to stop after the step under way
/// (it then writes everything and says how to resume); the second is left to the system, which ends the process at once.</summary>
internal sealed class Interrupts : IDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly Action<PosixSignal> _onFirst;
    private readonly PosixSignalRegistration[] _registrations;
    private int _received;

    /// <param name="onFirst">Told of the first signal (on the signal's thread), to say what happens now.</param>
    /// <param name="register">False for tests, which call <see cref="Handle"/> themselves.</param>
    public Interrupts(Action<PosixSignal> onFirst, bool register = true)
    {
        _onFirst = onFirst;
        _registrations = register ? [PosixSignalRegistration.Create(PosixSignal.SIGINT, Handle), PosixSignalRegistration.Create(PosixSignal.SIGTERM, Handle)] : [];
    }

    public CancellationToken Token => _stop.Token;

    /// <summary>The first signal received, if any.</summary>
    public PosixSignal? Signal { get; private set; }

    internal void Handle(PosixSignalContext context)
    {
        if (Interlocked.Increment(ref _received) > 1) return; // the default: terminate now
        Signal = context.Signal;
        context.Cancel = true;
        _stop.Cancel();
        _onFirst(context.Signal);
    }

    public void Dispose()
    {
        foreach (var registration in _registrations) registration.Dispose();
        _stop.Dispose();
    }
}
