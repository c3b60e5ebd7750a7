<?php

/**
 * Copyright © The Gladly bridge for Magento 2 authors. All rights reserved.
 * Proprietary; see composer.json for the license.
 */

declare(strict_types=1);

namespace Gladly\Connector\Test\Unit\Model\DeepLink;

use Gladly\Connector\Model\DeepLink\Resolver;
use PHPUnit\Framework\TestCase;

/**
 * Tests the deep-link decision: id validation, target route and parameters.
 */
class ResolverTest extends TestCase
{
    /**
     * Ids the bridge may send and the id accepted (null: rejected).
     *
     * @return array<string, array{mixed, int|null}>
     */
    public function ids(): array
    {
        return [
            'one' => ['1', 1],
            'typical' => ['42', 42],
            'integer value' => [42, 42],
            'largest unsigned int' => ['4294967295', 4294967295],
            'too large' => ['4294967296', null],
            'eleven digits' => ['10000000000', null],
            'zero' => ['0', null],
            'integer zero' => [0, null],
            'negative' => ['-5', null],
            'plus sign' => ['+5', null],
            'leading zero' => ['042', null],
            'decimal' => ['4.0', null],
            'exponent' => ['1e3', null],
            'hex' => ['0x1A', null],
            'trailing text' => ['12abc', null],
            'trailing newline' => ["12\n", null],
            'space' => [' 12', null],
            'empty' => ['', null],
            'missing' => [null, null],
            'array' => [['1'], null],
            'float' => [1.0, null],
            'increment id instead of entity id' => ['000000123', null],
        ];
    }

    /**
     * Only canonical positive integers are accepted.
     *
     * @dataProvider ids
     * @param mixed $raw
     * @param int|null $expected
     * @return void
     */
    public function testParseId($raw, ?int $expected): void
    {
        self::assertSame($expected, (new Resolver())->parseId($raw));
    }

    /**
     * Links and the redirect each produces: kind, raw id, path, params, valid.
     *
     * @return array<string, array{string, mixed, string, array<string, int>, bool}>
     */
    public function links(): array
    {
        return [
            'order' => ['order', '42', 'sales/order/view', ['order_id' => 42], true],
            'order with bad id' => ['order', 'abc', 'sales/order/index', [], false],
            'order without id' => ['order', null, 'sales/order/index', [], false],
            'customer' => ['customer', '7', 'customer/index/edit', ['id' => 7], true],
            'customer with bad id' => ['customer', '-7', 'customer/index/index', [], false],
            'customer without id' => ['customer', null, 'customer/index/index', [], false],
        ];
    }

    /**
     * Valid ids lead to the record; invalid ones to the grid, flagged invalid.
     *
     * @dataProvider links
     * @param string $kind
     * @param mixed $raw
     * @param string $path
     * @param array<string, int> $params
     * @param bool $valid
     * @return void
     */
    public function testRedirect(string $kind, $raw, string $path, array $params, bool $valid): void
    {
        $resolver = new Resolver();
        $redirect = $kind === 'order' ? $resolver->forOrder($raw) : $resolver->forCustomer($raw);

        self::assertSame($path, $redirect->getPath());
        self::assertSame($params, $redirect->getParams());
        self::assertSame($valid, $redirect->isValid());
    }
}
