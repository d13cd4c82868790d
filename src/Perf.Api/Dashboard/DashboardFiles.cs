using Microsoft.Extensions.FileProviders;

namespace Perf.Api.Dashboard;

/// <summary>
/// Serves the dashboard's files (<c>wwwroot/</c>, copied next to the binaries) at <c>/</c>, before authentication: the
/// page and its scripts are public, the data they fetch needs a key. Nothing is loaded from elsewhere at run time, and
/// the Content-Security-Policy keeps it that way.
/// </summary>
public static class DashboardFiles
{
    private const string ContentSecurityPolicy =
        "default-src 'self'; img-src 'self' data: blob:; style-src 'self'; script-src 'self'; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'";

    public static WebApplication UseDashboardFiles(this WebApplication app)
    {
        var root = Path.Combine(AppContext.BaseDirectory, "wwwroot");
        if (!Directory.Exists(root)) throw new DirectoryNotFoundException($"The dashboard's files are missing: {root}");
        var files = new PhysicalFileProvider(root);
        var staticFiles = new StaticFileOptions
        {
            FileProvider = files,
            OnPrepareResponse = context =>
            {
                var headers = context.Context.Response.Headers;
                headers.ContentSecurityPolicy = ContentSecurityPolicy;
                headers.XContentTypeOptions = "nosniff";
                // The files change with a release, not while a node runs; revalidating keeps an upgrade visible at once.
                headers.CacheControl = "no-cache";
            },
        };
        // Never for the API: the file middlewares look each path up on disk, which the ingestion and query traffic
        // (tens of thousands of requests a second) has no use for.
        app.UseWhen(context => !context.Request.Path.StartsWithSegments("/api"), dashboard => dashboard
            .UseDefaultFiles(new DefaultFilesOptions { FileProvider = files })
            .UseStaticFiles(staticFiles));
        return app;
    }
}
