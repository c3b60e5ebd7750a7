<?php

/**
 * Copyright © The Gladly bridge for Magento 2 authors. All rights reserved.
 * Proprietary; see composer.json for the license.
 */

declare(strict_types=1);

namespace Gladly\Connector\Test\Unit\Model\Config\Source;

use Gladly\Connector\Model\Config\Source\AllowedActions;
use PHPUnit\Framework\TestCase;

/**
 * Tests the options of the allowed-actions multiselect.
 */
class AllowedActionsTest extends TestCase
{
    /**
     * Every action the bridge knows and its label.
     *
     * @return array<string, array{string, string}>
     */
    public function actions(): array
    {
        return [
            'cancel' => ['cancel', 'Cancel order'],
            'refund' => ['refund', 'Refund order'],
            'comment' => ['comment', 'Add order comment'],
            'hold' => ['hold', 'Hold order'],
            'unhold' => ['unhold', 'Release order from hold'],
            'email' => ['email', 'Resend order email'],
            'coupon' => ['coupon', 'Issue goodwill coupon'],
            'address' => ['address', 'Change shipping address'],
        ];
    }

    /**
     * Each action is offered once with its label.
     *
     * @dataProvider actions
     * @param string $value
     * @param string $label
     * @return void
     */
    public function testOffersAction(string $value, string $label): void
    {
        $matches = array_values(array_filter(
            (new AllowedActions())->toOptionArray(),
            static function (array $option) use ($value): bool {
                return $option['value'] === $value;
            }
        ));

        self::assertCount(1, $matches);
        self::assertSame($label, (string) $matches[0]['label']);
    }

    /**
     * The options list exactly the eight actions, in display order, and match getValues().
     *
     * @return void
     */
    public function testOptionsAndValuesAgree(): void
    {
        $source = new AllowedActions();
        $expected = ['cancel', 'refund', 'comment', 'hold', 'unhold', 'email', 'coupon', 'address'];

        self::assertSame($expected, array_column($source->toOptionArray(), 'value'));
        self::assertSame($expected, $source->getValues());
    }
}
