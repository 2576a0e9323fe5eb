/*
 * DynamoDB Local bound to one address (127.0.0.1 unless -Dmedia-store.host says otherwise),
 * answering only its front. DynamoDB Local has no host option: its Jetty server listens on
 * every interface. This launcher builds the server exactly as DynamoDB Local's own main does,
 * sets the host of its connector before it starts, then starts it. Run in Java's single-file
 * source mode.
 *
 * DynamoDB Local checks no signature, so the local stack puts a front before it that does
 * (local/dynamodb.ts). So that the front cannot be bypassed by calling this port directly, every
 * request must carry the front's per-run token (environment MEDIA_STORE_FRONT_TOKEN) in the
 * x-media-store-front header; anything else, CORS preflights included, is answered 403.
 */
import com.amazonaws.services.dynamodbv2.local.main.ServerRunner;
import com.amazonaws.services.dynamodbv2.local.server.DynamoDBProxyServer;
import java.io.IOException;
import java.lang.reflect.Field;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import javax.servlet.ServletException;
import javax.servlet.http.HttpServletRequest;
import javax.servlet.http.HttpServletResponse;
import org.eclipse.jetty.server.Connector;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.handler.HandlerWrapper;

public class LoopbackDynamoDbLocal {
  public static void main(String[] args) throws Exception {
    String host = System.getProperty("media-store.host", "127.0.0.1");
    String token = System.getenv("MEDIA_STORE_FRONT_TOKEN");
    if (token == null || token.length() < 32) throw new IllegalStateException("MEDIA_STORE_FRONT_TOKEN must be set (32+ characters)");
    byte[] expected = token.getBytes(StandardCharsets.UTF_8);
    DynamoDBProxyServer proxy = ServerRunner.createServerFromCommandLineArgs(args);
    Field field = DynamoDBProxyServer.class.getDeclaredField("server");
    field.setAccessible(true);
    Server server = (Server) field.get(proxy);
    Connector[] connectors = server.getConnectors();
    if (connectors.length == 0) throw new IllegalStateException("DynamoDB Local has no connector to bind");
    for (Connector connector : connectors) {
      if (!(connector instanceof ServerConnector)) throw new IllegalStateException("unexpected connector " + connector);
      ((ServerConnector) connector).setHost(host);
    }
    if (server.getHandler() == null) throw new IllegalStateException("DynamoDB Local has no handler to guard");
    HandlerWrapper guard = new HandlerWrapper() {
      @Override
      public void handle(String target, Request base, HttpServletRequest request, HttpServletResponse response) throws IOException, ServletException {
        String given = request.getHeader("x-media-store-front");
        if (given == null || !MessageDigest.isEqual(expected, given.getBytes(StandardCharsets.UTF_8))) {
          base.setHandled(true);
          response.setStatus(403);
          response.setContentType("application/x-amz-json-1.0");
          response.getWriter().write("{\"__type\":\"com.amazonaws.dynamodb.v20120810#AccessDeniedException\",\"message\":\"Only the local stack's DynamoDB front may call DynamoDB Local\"}");
          return;
        }
        super.handle(target, base, request, response);
      }
    };
    guard.setHandler(server.getHandler());
    server.setHandler(guard);
    proxy.start();
  }
}
