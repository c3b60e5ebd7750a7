<?php

/**
 * Copyright © The Gladly bridge for Magento 2 authors. All rights reserved.
 * Proprietary; see composer.json for the license.
 */

declare(strict_types=1);

namespace Gladly\Connector\Test\Unit\Plugin\Backend;

use Gladly\Connector\Plugin\Backend\StartupPagePlugin;
use Magento\Backend\Model\UrlInterface;
use Magento\Framework\App\Request\Http;
use PHPUnit\Framework\TestCase;

/**
 * Tests that logging in on a deep link lands on the deep link, and nowhere else changes the startup page.
 */
class StartupPagePluginTest extends TestCase
{
    /**
     * Requests and the startup page route path expected while each is dispatched.
     *
     * @return array<string, array{array{0: string, 1: string, 2: string, 3?: array<string, mixed>}, string}>
     */
    public function requests(): array
    {
        return [
            'order deep link' => [
                ['gladlybridge', 'open', 'order', ['id' => '42']],
                'gladlybridge/open/order/id/42',
            ],
            'customer deep link' => [
                ['gladlybridge', 'open', 'customer', ['id' => '7']],
                'gladlybridge/open/customer/id/7',
            ],
            'other admin page' => [['sales', 'order', 'view', ['order_id' => '42']], 'admin/dashboard'],
            'login page itself' => [['adminhtml', 'auth', 'login'], 'admin/dashboard'],
            'deep link without id' => [['gladlybridge', 'open', 'order'], 'admin/dashboard'],
            'id with a path in it' => [
                ['gladlybridge', 'open', 'order', ['id' => '42/key/abc']],
                'admin/dashboard',
            ],
            'zero id' => [['gladlybridge', 'open', 'order', ['id' => '0']], 'admin/dashboard'],
            'array id' => [['gladlybridge', 'open', 'order', ['id' => ['42']]], 'admin/dashboard'],
            'unknown action' => [['gladlybridge', 'open', 'invoice', ['id' => '42']], 'admin/dashboard'],
            'other controller' => [['gladlybridge', 'close', 'order', ['id' => '42']], 'admin/dashboard'],
        ];
    }

    /**
     * The startup page is the deep link only while a valid one of the module's open routes is requested.
     *
     * @dataProvider requests
     * @param array{0: string, 1: string, 2: string, 3?: array<string, mixed>} $route
     * @param string $expected
     * @return void
     */
    public function testAfterGetStartupPageUrl(array $route, string $expected): void
    {
        [$routeName, $controller, $action] = $route;
        $params = $route[3] ?? [];
        $request = $this->createMock(Http::class);
        $request->method('getRouteName')->willReturn($routeName);
        $request->method('getControllerName')->willReturn($controller);
        $request->method('getActionName')->willReturn($action);
        $request->method('getParam')->willReturnCallback(
            static fn (string $key, $default = null) => $params[$key] ?? $default
        );
        $plugin = new StartupPagePlugin($request);

        self::assertSame(
            $expected,
            $plugin->afterGetStartupPageUrl($this->createMock(UrlInterface::class), 'admin/dashboard')
        );
    }
}
