namespace Perf.Analytics.Detection;

/// <summary>
/// The windowed log-martingale of SPEC section 0, step 4: log M = sum of the last W log betting factors ln beta(p).
/// The first p-value fills the window with W copies of its factor.
/// </summary>
internal sealed class Martingale
{
    private readonly double[] _window;
    private readonly MartingaleType _type;
    private readonly double _epsilon;
    private int _start;
    private bool _started;
    private double _logValue;

    public Martingale(int windowSize, MartingaleType type, double epsilon)
    {
        _window = new double[windowSize];
        _type = type;
        _epsilon = epsilon;
    }

    /// <summary>ln beta(p) for the power (eps * p^(eps - 1)) or mixture ((p ln p - p + 1) / (p (ln p)^2)) martingale.</summary>
    public static double LogBettingFactor(MartingaleType type, double epsilon, double p)
    {
        double lnP = Math.Log(p);
        return type switch
        {
            MartingaleType.Power => Math.Log(epsilon) + ((epsilon - 1) * lnP),
            _ => Math.Log(((p * lnP) - p + 1) / (p * lnP * lnP)),
        };
    }

    /// <summary>M at which a change point is raised: beta(1 - confidence / 100)^W.</summary>
    public static double AlertThreshold(MartingaleType type, double epsilon, double confidence, int windowSize) =>
        Math.Pow(Math.Exp(LogBettingFactor(type, epsilon, 1 - (confidence / 100))), windowSize);

    /// <summary>Adds the betting factor of <paramref name="p"/> and returns M = exp(log M).</summary>
    public double Update(double p)
    {
        double u = LogBettingFactor(_type, _epsilon, p);
        if (!_started)
        {
            Array.Fill(_window, u);
            _logValue = _window.Length * u;
            _started = true;
        }
        else
        {
            _logValue += u - _window[_start];
            _window[_start] = u;
            _start = _start + 1 == _window.Length ? 0 : _start + 1;
        }

        return Math.Exp(_logValue);
    }

    public void Write(BinaryWriter writer)
    {
        writer.Write(_started);
        writer.Write(_logValue);
        writer.Write(_window.Length);
        for (int i = 0; i < _window.Length; i++)
        {
            int index = _start + i;
            writer.Write(_window[index >= _window.Length ? index - _window.Length : index]);
        }
    }

    public void Read(BinaryReader reader)
    {
        _started = reader.ReadBoolean();
        _logValue = reader.ReadDouble();
        StateIO.ReadLength(reader, _window.Length, _window.Length);
        for (int i = 0; i < _window.Length; i++)
        {
            _window[i] = reader.ReadDouble();
        }

        _start = 0;
    }
}
