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
     * @return array<string, array{Http, string}>
     */
    public function requests(): array
    {
        return [
            'order deep link' => [
                new Http('gladlybridge', 'open', 'order', ['id' => '42']),
                'gladlybridge/open/order/id/42',
            ],
            'customer deep link' => [
                new Http('gladlybridge', 'open', 'customer', ['id' => '7']),
                'gladlybridge/open/customer/id/7',
            ],
            'other admin page' => [new Http('sales', 'order', 'view', ['order_id' => '42']), 'admin/dashboard'],
            'login page itself' => [new Http('adminhtml', 'auth', 'login'), 'admin/dashboard'],
            'deep link without id' => [new Http('gladlybridge', 'open', 'order'), 'admin/dashboard'],
            'id with a path in it' => [
                new Http('gladlybridge', 'open', 'order', ['id' => '42/key/abc']),
                'admin/dashboard',
            ],
            'zero id' => [new Http('gladlybridge', 'open', 'order', ['id' => '0']), 'admin/dashboard'],
            'array id' => [new Http('gladlybridge', 'open', 'order', ['id' => ['42']]), 'admin/dashboard'],
            'unknown action' => [new Http('gladlybridge', 'open', 'invoice', ['id' => '42']), 'admin/dashboard'],
            'other controller' => [new Http('gladlybridge', 'close', 'order', ['id' => '42']), 'admin/dashboard'],
        ];
    }

    /**
     * The startup page is the deep link only while a valid one of the module's open routes is requested.
     *
     * @dataProvider requests
     * @param Http $request
     * @param string $expected
     * @return void
     */
    public function testAfterGetStartupPageUrl(Http $request, string $expected): void
    {
        $plugin = new StartupPagePlugin($request);

        self::assertSame(
            $expected,
            $plugin->afterGetStartupPageUrl($this->createMock(UrlInterface::class), 'admin/dashboard')
        );
    }
}
